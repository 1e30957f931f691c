/** BitbucketSource over the Bitbucket simulator (real git, real HTTP) passes the source contract the in-memory repository is held to. */
import { BitbucketClient } from '../../../../shared/bitbucket/bitbucket-client';
import { BitbucketSource } from '../../../../shared/bitbucket/bitbucket-source';
import { startBitbucketSimulator, type BitbucketSimulator } from '../../../../local/bitbucket-simulator';
import { sourceRepositoryContract } from '../../../support/contracts/source-repository.contract';

let simulator: BitbucketSimulator;
beforeAll(async () => {
  simulator = await startBitbucketSimulator({ pagelen: { diffstat: 2, src: 2 } });
});
afterAll(async () => {
  await simulator.close();
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('BitbucketSource contract', () => {
  let counter = 0;
  sourceRepositoryContract(() => ({
    newRepository: () => simulator.createRepository(`acme/contract-${++counter}`),
    sourceFor: (repo, { git, ...options } = {}) =>
      new BitbucketSource(
        new BitbucketClient({
          baseUrl: simulator.apiUrl,
          token: repo.token,
          maxAttempts: 1,
          maxRateLimitWaitMs: 0,
          sleep: async () => undefined,
          ...options,
        }),
        repo.fullName,
        git ? { token: repo.token, maxAttempts: 1, ...options } : undefined,
      ),
    failNextDiff: (repo) =>
      simulator.addFault({ pathPattern: new RegExp(`${escape(repo.fullName)}/diffstat/`), kind: 'status', status: 555, times: 1 }),
    rateLimitNextFile: (repo, path, retryAfterMs) =>
      simulator.addFault({
        pathPattern: new RegExp(`${escape(repo.fullName)}/src/[0-9a-f]+/${escape(path)}$`),
        kind: 'status',
        status: 429,
        retryAfterSeconds: retryAfterMs / 1000,
        times: 1,
      }),
  }));
});
