/** The read use cases on in-memory fakes of their ports: a repository store, an events log and a br-storing model store. */
import type { ReadPorts } from '../../../shared/domain/read/ports';
import { InMemoryEventLog } from './in-memory-event-log';
import { InMemoryModelStore } from './in-memory-model-store';
import { InMemoryRepositoryStore } from './in-memory-repository-store';

export const REPO = '{5d0c1e2f-0000-4000-8000-00000000000a}';

export async function readWorld(options: { now?: Date } = {}) {
  const repositories = new InMemoryRepositoryStore();
  const events = new InMemoryEventLog();
  const models = new InMemoryModelStore({ bodyEncoding: 'br' });
  await repositories.addRepository({ uuid: REPO, fullName: 'acme/models', modelPattern: '*.hck.json', addedAt: '2026-12-01T00:00:00Z' });
  const ports: ReadPorts = {
    repositories,
    events: { list: (query) => events.list(query) },
    models,
    now: () => options.now ?? new Date('2026-12-05T10:00:00Z'),
  };
  const put = (path: string, bytes: Buffer | string, commit = 'c1') =>
    models.putModel({ repositoryUuid: REPO, path, commit, bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes) });
  return { ports, repositories, events, models, put };
}
