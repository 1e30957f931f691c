/**
 * The in-memory fakes of our ports pass the same contract suites as the real adapters
 * (test/integration/shared/aws/*.contract.test.ts, test/integration/shared/bitbucket/bitbucket-source.contract.test.ts).
 */
import type { SearchRepository } from '../../../../shared/domain/read/search-entities';
import { entitySearchSourceContract } from '../../../support/contracts/entity-search-source.contract';
import { eventLogContract } from '../../../support/contracts/event-log.contract';
import { modelCatalogContract } from '../../../support/contracts/model-catalog.contract';
import { modelStoreContract } from '../../../support/contracts/model-store.contract';
import { sourceRepositoryContract } from '../../../support/contracts/source-repository.contract';
import { syncQueueContract } from '../../../support/contracts/sync-queue.contract';
import { repositoryStoreContract } from '../../../support/contracts/sync-state-store.contract';
import { InMemoryEntitySearchSource } from '../../../support/in-memory/in-memory-entity-search-source';
import { InMemoryEventLog } from '../../../support/in-memory/in-memory-event-log';
import { InMemoryModelStore } from '../../../support/in-memory/in-memory-model-store';
import { InMemoryRepositoryStore } from '../../../support/in-memory/in-memory-repository-store';
import { InMemoryRepository } from '../../../support/in-memory/in-memory-source-repository';
import { InMemorySyncQueue } from '../../../support/in-memory/in-memory-sync-queue';

describe('InMemoryModelStore', () => {
  let current: InMemoryModelStore | undefined;
  modelStoreContract(
    (options) => (current = new InMemoryModelStore(options)),
    async (repositoryUuid, path, bytes) => current!.tamperBody(repositoryUuid, path, bytes),
  );
});

describe('InMemoryRepositoryStore', () => {
  repositoryStoreContract(() => new InMemoryRepositoryStore());
});

describe('InMemoryEventLog', () => {
  const log = new InMemoryEventLog();
  eventLogContract(() => log);
});

describe('InMemorySyncQueue', () => {
  syncQueueContract(() => {
    const queue = new InMemorySyncQueue();
    let drained = 0;
    return { queue, drain: async () => queue.messages.slice(drained, (drained = queue.messages.length)) };
  });
});

describe('InMemoryRepository source', () => {
  let counter = 0;
  sourceRepositoryContract(() => ({
    newRepository: async () => new InMemoryRepository({ fullName: `acme/models-${++counter}` }),
    sourceFor: (repo, options) => repo.source(options),
    failNextDiff: (repo) => repo.addFault({ method: 'listChangedFiles', kind: 'diff-too-large', times: 1 }),
    rateLimitNextFile: (repo, path, retryAfterMs) =>
      repo.addFault({ method: 'getFile', path: new RegExp(`^${path.replace(/\./g, '\\.')}$`), kind: 'rate-limit', retryAfterMs, times: 1 }),
  }));
});

describe('InMemoryModelStore as the read API catalog', () => {
  modelCatalogContract(() => new InMemoryModelStore({ bodyEncoding: 'br' }));
});

describe('InMemoryEntitySearchSource', () => {
  entitySearchSourceContract(() => {
    const models = new InMemoryModelStore();
    const repositories: SearchRepository[] = [];
    return {
      source: new InMemoryEntitySearchSource(models, async () => repositories),
      models,
      repositories,
      forgetIndex: async (repositoryUuid, path) => models.forgetEntityIndex(repositoryUuid, path),
    };
  });
});
