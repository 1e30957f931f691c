/**
 * The deadline of Bitbucket requests (issue 10): an attempt's timeout is clamped to the invocation's remaining
 * time minus the safety margin, and no attempt, retry or wait starts once it cannot finish in time.
 */
import { MockAgent } from 'undici';
import { BitbucketTransport } from '../../../../shared/bitbucket/bitbucket-transport';
import { BitbucketDeadlineError, BitbucketRateLimitedError } from '../../../../shared/bitbucket/errors';
import { attemptTimeoutMs, RequestDeadline } from '../../../../shared/bitbucket/request-deadline';

const context = { repository: 'acme/models', what: 'the listing' };

describe('attemptTimeoutMs', () => {
  it('is the request timeout without a deadline, or when the deadline is further away', () => {
    expect(attemptTimeoutMs(30_000, undefined, 1_000)).toBe(30_000);
    expect(attemptTimeoutMs(30_000, 100_000, 1_000)).toBe(30_000);
  });

  it('is clamped to the time left before the deadline, and not positive once it passed', () => {
    expect(attemptTimeoutMs(30_000, 6_000, 1_000)).toBe(5_000);
    expect(attemptTimeoutMs(30_000, 1_000, 1_000)).toBe(0);
    expect(attemptTimeoutMs(30_000, 500, 1_000)).toBe(-500);
  });
});

describe('RequestDeadline', () => {
  it('refuses an attempt with no time left, and a wait that would reach the deadline', () => {
    let now = 1_000;
    const deadline = new RequestDeadline(2_000, () => now);
    expect(deadline.attemptTimeout(30_000, context)).toBe(1_000);
    expect(() => deadline.assertCanWait(999, context)).not.toThrow();
    expect(() => deadline.assertCanWait(1_000, context)).toThrow(BitbucketDeadlineError);
    now = 2_000;
    expect(() => deadline.attemptTimeout(30_000, context)).toThrow(BitbucketDeadlineError);
  });

  it('allows anything without a deadline', () => {
    const deadline = new RequestDeadline(undefined);
    expect(deadline.timeLeft()).toBe(Infinity);
    expect(deadline.attemptTimeout(30_000, context)).toBe(30_000);
    expect(() => deadline.assertCanWait(3_600_000, context)).not.toThrow();
  });
});

describe('BitbucketTransport with a deadline', () => {
  const origin = 'https://bitbucket.test';
  let agent: MockAgent;
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
  });
  afterEach(() => agent.close());

  const transport = (options: { now: () => number; deadlineAt: number; sleeps?: number[] }) =>
    new BitbucketTransport({
      baseUrl: `${origin}/2.0`,
      token: 'test-token',
      dispatcher: agent,
      maxAttempts: 5,
      baseDelayMs: 1_000,
      random: () => 0.99,
      sleep: async (ms) => {
        options.sleeps?.push(ms);
      },
      now: options.now,
      deadlineAt: options.deadlineAt,
    });

  it('sends nothing once the deadline has passed', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/2.0/x' }).reply(200, '{}');
    const client = transport({ now: () => 10_000, deadlineAt: 10_000 });
    await expect(client.getJson(`${origin}/2.0/x`, context)).rejects.toThrow(BitbucketDeadlineError);
    expect(client.stats.requests).toBe(0);
  });

  it('gives up a retry whose backoff would reach the deadline, instead of sleeping through it', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/2.0/x' }).reply(500, '{"error":{"message":"down"}}');
    const sleeps: number[] = [];
    // 500 ms left; the first backoff would be about 990 ms.
    const client = transport({ now: () => 9_500, deadlineAt: 10_000, sleeps });
    await expect(client.getJson(`${origin}/2.0/x`, context)).rejects.toThrow(BitbucketDeadlineError);
    expect(client.stats.requests).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('parks on a 429 whose wait would reach the deadline', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/2.0/x' }).reply(429, 'Rate limit', { headers: { 'retry-after': '2' } });
    const client = transport({ now: () => 9_000, deadlineAt: 10_000 });
    await expect(client.getJson(`${origin}/2.0/x`, context)).rejects.toBeInstanceOf(BitbucketRateLimitedError);
  });

  it('answers as usual while time is left', async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: '/2.0/x' }).reply(200, '{"ok":true}');
    const client = transport({ now: () => 0, deadlineAt: 60_000 });
    expect(await client.getJson(`${origin}/2.0/x`, context)).toEqual({ ok: true });
  });
});
