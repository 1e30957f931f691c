// Retries, backoff, Retry-After, NearLimit pacing and token redaction through BitbucketClient against the simulator.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BitbucketClient } from '../../../../shared/bitbucket/bitbucket-client';
import { generateRegisteredSecret } from '../../../support/secret-hygiene';
import type { SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { useBitbucketClientBed } from '../../../support/bitbucket-client-bed';
import {
  BitbucketAuthError,
  BitbucketError,
  BitbucketNotFoundError,
  BitbucketRateLimitedError,
  BitbucketUnavailableError,
} from '../../../../shared/bitbucket/errors';

const bed = useBitbucketClientBed();
const { newRepo, clientFor, requestsTo } = bed;

describe('BitbucketClient retries', () => {
  async function repoWithFile(): Promise<{ repo: SimulatedRepository; commit: string }> {
    const repo = await newRepo();
    const commit = await repo.commit({ 'm.hck.json': '{"ok":true}' });
    return { repo, commit };
  }

  it('retries 429 without Retry-After using full-jitter exponential backoff', async () => {
    const { repo, commit } = await repoWithFile();
    bed.sim.addFault({ pathPattern: /\/src\//, kind: 'status', status: 429, times: 2 });
    const { client, sleeps } = clientFor(repo);

    const bytes = await client.getFile(repo.fullName, commit, 'm.hck.json');

    expect(bytes.toString()).toBe('{"ok":true}');
    expect(sleeps).toEqual([50, 100]); // 0.5 * 100, 0.5 * 200
    expect(client.stats).toMatchObject({ requests: 3, retries: 2, rateLimited: 2 });
    expect(requestsTo(`/${repo.fullName}/src/`).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('waits as long as Retry-After says when it is within maxRateLimitWaitMs', async () => {
    const { repo, commit } = await repoWithFile();
    bed.sim.addFault({ pathPattern: /\/src\//, kind: 'status', status: 429, retryAfterSeconds: 3, times: 1 });
    const { client, sleeps } = clientFor(repo, { maxRateLimitWaitMs: 5_000 });

    await client.getFile(repo.fullName, commit, 'm.hck.json');

    expect(sleeps).toEqual([3_000]);
    expect(client.stats.rateLimited).toBe(1);
  });

  it('throws BitbucketRateLimitedError at once when Retry-After exceeds maxRateLimitWaitMs', async () => {
    const { repo, commit } = await repoWithFile();
    bed.sim.addFault({ pathPattern: /\/src\//, kind: 'status', status: 429, retryAfterSeconds: 120 });
    const { client, sleeps } = clientFor(repo, { maxRateLimitWaitMs: 30_000 });

    const error = await client.getFile(repo.fullName, commit, 'm.hck.json').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BitbucketRateLimitedError);
    expect((error as BitbucketRateLimitedError).retryAfterMs).toBe(120_000);
    expect((error as BitbucketRateLimitedError).message).toContain('resource "api"');
    expect(sleeps).toEqual([]);
    expect(requestsTo(`/${repo.fullName}/src/`)).toHaveLength(1);
  });

  it('throws BitbucketRateLimitedError after maxAttempts of 429 without Retry-After', async () => {
    const { repo, commit } = await repoWithFile();
    bed.sim.addFault({ pathPattern: /\/src\//, kind: 'status', status: 429 });
    const { client } = clientFor(repo, { maxAttempts: 3 });

    const error = await client.getFile(repo.fullName, commit, 'm.hck.json').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BitbucketRateLimitedError);
    expect((error as BitbucketRateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(60_000);
    expect(requestsTo(`/${repo.fullName}/src/`)).toHaveLength(3);
  });

  it('retries 5xx answers and dropped connections, then succeeds', async () => {
    const { repo, commit } = await repoWithFile();
    bed.sim.addFault({ pathPattern: /\/src\//, kind: 'status', status: 503, times: 1 });
    bed.sim.addFault({ pathPattern: /\/src\//, kind: 'drop', times: 1 });
    bed.sim.addFault({ pathPattern: /\/src\//, kind: 'status', status: 502, times: 1 });
    const { client } = clientFor(repo);

    const bytes = await client.getFile(repo.fullName, commit, 'm.hck.json');

    expect(bytes.toString()).toBe('{"ok":true}');
    expect(requestsTo(`/${repo.fullName}/src/`).map((r) => r.status)).toEqual([503, 0, 502, 200]);
    expect(client.stats.retries).toBe(3);
  });

  it('retries a request that times out', async () => {
    const { repo, commit } = await repoWithFile();
    // undici checks its timeouts on a coarse (~0.5 s) tick, so the delay must clearly exceed timeout + tick.
    bed.sim.addFault({ pathPattern: /\/src\//, kind: 'latency', delayMs: 1_500, times: 1 });
    const { client } = clientFor(repo, { requestTimeoutMs: 200 });

    const bytes = await client.getFile(repo.fullName, commit, 'm.hck.json');

    expect(bytes.toString()).toBe('{"ok":true}');
    expect(client.stats.retries).toBe(1);
  });

  it('gives up with BitbucketUnavailableError after maxAttempts of 5xx', async () => {
    const { repo } = await repoWithFile();
    bed.sim.addFault({ pathPattern: /\/refs\/branches\//, kind: 'status', status: 500 });
    const { client, sleeps } = clientFor(repo, { maxAttempts: 3 });

    const error = await client.getBranchHead(repo.fullName, 'main').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BitbucketUnavailableError);
    expect(error).toMatchObject({ attempts: 3, status: 500, repository: repo.fullName });
    expect(sleeps).toHaveLength(2);
    expect(requestsTo(`/${repo.fullName}/refs/branches/`)).toHaveLength(3);
  });

  it('paces subsequent requests while Bitbucket reports X-RateLimit-NearLimit', async () => {
    const { repo } = await repoWithFile();
    const { client, sleeps } = clientFor(repo, { nearLimitDelayMs: 250 });
    bed.sim.setNearLimit(true);

    await client.getRepository(repo.fullName); // learns about the near limit
    await client.getRepository(repo.fullName); // paced
    bed.sim.setNearLimit(false);
    await client.getRepository(repo.fullName); // still paced: the previous answer said near limit
    await client.getRepository(repo.fullName); // not paced any more

    expect(sleeps).toEqual([250, 250]);
    expect(client.stats.paced).toBe(2);
  });
});

describe('BitbucketClient authentication errors', () => {
  it('throws BitbucketAuthError on 401 naming the repository but never the token', async () => {
    const repo = await newRepo();
    await repo.commit({ 'a.txt': 'a' });
    const badToken = generateRegisteredSecret();
    const { client } = clientFor(repo, { token: badToken });

    const error = await client.getRepository(repo.fullName).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BitbucketAuthError);
    expect(error).toBeInstanceOf(BitbucketError);
    const auth = error as BitbucketAuthError;
    expect(auth.status).toBe(401);
    expect(auth.message).toContain(repo.fullName);
    expect(auth.message).toMatch(/access token is invalid, expired or lacks a scope/);
    for (const text of [auth.message, String(auth), auth.stack ?? '', JSON.stringify(auth)]) expect(text).not.toContain(badToken);
    expect(requestsTo(`/repositories/${repo.fullName}`)).toHaveLength(1); // not retried
  });

  it('keeps the valid token out of every error it raises', async () => {
    const repo = await newRepo();
    const commit = await repo.commit({ 'a.txt': 'a' });
    bed.sim.addFault({ pathPattern: /\/refs\//, kind: 'status', status: 500 });
    const { client } = clientFor(repo, { maxAttempts: 2 });

    const errors = await Promise.all([
      client.getBranchHead(repo.fullName, 'main').catch((e: unknown) => e),
      client.getFile(repo.fullName, commit, 'missing.txt').catch((e: unknown) => e),
    ]);

    expect(errors[0]).toBeInstanceOf(BitbucketUnavailableError);
    expect(errors[1]).toBeInstanceOf(BitbucketNotFoundError);
    for (const error of errors) expect(`${String(error)} ${(error as Error).stack ?? ''}`).not.toContain(repo.token);
  });
});

describe('BitbucketClient timeouts', () => {
  it('downloads a body that takes longer than the request timeout while it keeps arriving (the deadline is far)', async () => {
    // A large model on a slow link: each chunk comes well within the inactivity timeout, the whole body does not.
    // Before, the attempt's abort signal fired at the request timeout and the run ended as if out of time, for ever.
    const chunks = 25;
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      let sent = 0;
      const timer = setInterval(() => {
        response.write(`{"chunk":${sent}}\n`);
        if (++sent === chunks) {
          clearInterval(timer);
          response.end();
        }
      }, 100);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new BitbucketClient({
        baseUrl: `http://127.0.0.1:${port}/2.0`,
        token: generateRegisteredSecret(),
        requestTimeoutMs: 1_000,
        deadlineAt: Date.now() + 120_000,
      });

      const bytes = await client.getFile('acme/slow', 'a'.repeat(40), 'm.hck.json');

      expect(bytes.toString().trim().split('\n')).toHaveLength(chunks);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
