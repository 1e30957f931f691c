/** Fault injection of the simulator: latency, error statuses (429 with Retry-After, 5xx, 555) and dropped connections. */
import type { Answer } from './json-shapes';
import type { FaultRule } from './simulator-types';

const RATE_LIMIT_TEXT = 'Rate limit for this resource has been exceeded';

interface PendingFault extends FaultRule {
  remaining: number;
}

/** The fault rules in force and the requests they are delaying. */
export class FaultInjector {
  private faults: PendingFault[] = [];
  private readonly delays = new Set<() => void>();

  add(rule: FaultRule): void {
    this.faults.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.faults = [];
  }

  /** Applies latency rules and returns the first terminal rule that fires, if any. */
  async pick(url: string): Promise<FaultRule | undefined> {
    for (const rule of this.faults) {
      if (rule.remaining <= 0) continue;
      if (rule.pathPattern) {
        rule.pathPattern.lastIndex = 0;
        if (!rule.pathPattern.test(url)) continue;
      }
      if (rule.probability !== undefined && Math.random() >= rule.probability) continue;
      rule.remaining--;
      if (rule.kind === 'latency') {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.delays.delete(release);
            resolve();
          }, rule.delayMs ?? 0);
          // close() releases delayed requests at once instead of keeping the process alive for them.
          const release = (): void => {
            clearTimeout(timer);
            resolve();
          };
          this.delays.add(release);
        });
        continue;
      }
      return rule;
    }
    return undefined;
  }

  /** Lets every delayed request go on at once (the simulator is closing). */
  releaseDelays(): void {
    for (const release of this.delays) release();
  }
}

/** The answer of a `status` fault: 429 in plain text like Bitbucket, 555 and others as error JSON. */
export function faultAnswer(rule: FaultRule): Answer {
  const status = rule.status ?? 500;
  const headers: Record<string, string> = {};
  if (rule.retryAfterSeconds !== undefined) headers['retry-after'] = String(rule.retryAfterSeconds);
  if (status === 429) return { status, headers, body: RATE_LIMIT_TEXT };
  if (status === 555)
    return { status, headers, body: { type: 'error', error: { message: 'Service Timeout: the diff is too large to compute in time.' } } };
  return { status, headers, body: { type: 'error', error: { message: `Simulated failure (HTTP ${status}).` } } };
}
