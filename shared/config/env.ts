// Environment parsing shared by every config loader, so a bad deployment reports all its problems at once.
import { ConfigError } from '../domain/errors';

/**
 * Reads typed settings from the environment, collecting every problem so one error lists them all.
 * @example const env = readEnv(process.env); const url = env.string('QUEUE_URL'); env.done();
 */
export function readEnv(source: NodeJS.ProcessEnv) {
  const problems: string[] = [];
  return {
    string(name: string, fallback?: string): string {
      const value = source[name] ?? fallback;
      if (value === undefined || value === '') problems.push(`${name} environment variable is not set`);
      return value ?? '';
    },
    number(name: string, fallback: number, options: { min?: number; max?: number } = {}): number {
      const raw = source[name];
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!Number.isFinite(value) || value < (options.min ?? -Infinity) || value > (options.max ?? Infinity)) {
        problems.push(
          `${name} must be a number${options.min !== undefined ? ` >= ${options.min}` : ''}${options.max !== undefined ? ` <= ${options.max}` : ''}`,
        );
        return fallback;
      }
      return value;
    },
    /** A URL that `accept` takes (e.g. https only); `rule` says what is accepted. Trailing slashes are removed. */
    url(name: string, fallback: string, accept: (url: string) => boolean, rule: string): string {
      const value = (source[name] || fallback).replace(/\/+$/, '');
      if (!accept(value)) problems.push(`${name} must be ${rule}`);
      return value;
    },
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const raw = source[name];
      if (raw === undefined || raw === '') return fallback;
      if (allowed.includes(raw as T)) return raw as T;
      problems.push(`${name} must be one of ${allowed.join(', ')}`);
      return fallback;
    },
    /** Throws one ConfigError naming every problem found so far. */
    done(): void {
      if (problems.length > 0) throw new ConfigError(problems);
    },
  };
}
