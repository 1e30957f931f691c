// The reader's settings read and checked at cold start, so a misconfigured read API fails with one clear error.
import { readEnv } from './env';

export interface ReaderConfig {
  readonly repositoriesTable: string;
  readonly modelsTable: string;
  /** The events log: the last failed sync run of a repository is its status (`failed`). */
  readonly eventsTable: string;
  /** The change records behind `GET /changes`; without it the route answers 503 (a stack without the changes table). */
  readonly changesTable?: string;
}

/** Reads the reader's settings, or throws one ConfigError listing every missing or invalid variable. */
export function loadReaderConfig(source: NodeJS.ProcessEnv = process.env): ReaderConfig {
  const env = readEnv(source);
  const config: ReaderConfig = {
    repositoriesTable: env.string('REPOSITORIES_TABLE'),
    modelsTable: env.string('MODELS_TABLE'),
    eventsTable: env.string('EVENTS_TABLE'),
    ...(source.CHANGES_TABLE ? { changesTable: source.CHANGES_TABLE } : {}),
  };
  env.done();
  return Object.freeze(config);
}
