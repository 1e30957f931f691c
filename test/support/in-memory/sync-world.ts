// A repository, its stored models and its sync state, all in memory: the world the sync engine's fast tests run in.
import { DEFAULT_MODEL_PATTERN, createModelSelector } from '../../../shared/models/model-selection';
import { InMemoryModelStore } from './in-memory-model-store';
import { InMemoryRepositoryStore } from './in-memory-repository-store';
import { InMemoryRepository } from './in-memory-source-repository';

export interface World {
  repo: InMemoryRepository;
  models: InMemoryModelStore;
  state: InMemoryRepositoryStore;
}

export const newWorld = (): World => ({
  repo: new InMemoryRepository(),
  models: new InMemoryModelStore(),
  state: new InMemoryRepositoryStore(),
});

/** Stored models equal the head's models byte for byte, the cursor is at the head, and no progress is left. */
export async function expectReplicated(world: World, pattern = DEFAULT_MODEL_PATTERN): Promise<void> {
  const head = await world.repo.head();
  const files = await world.repo.readFiles(head);
  const isModel = createModelSelector({ pattern, hubignore: files.get('.hubignore')?.toString('utf8') ?? '' });
  const expected = Object.fromEntries(
    [...files].filter(([path]) => isModel(path)).map(([path, bytes]) => [path, bytes.toString('base64')]),
  );
  const stored: Record<string, string> = {};
  for (const record of await world.models.listModels(world.repo.uuid))
    stored[record.path] = (await world.models.getModel(world.repo.uuid, record.path))!.body.toString('base64');
  expect(stored).toEqual(expected);
  const state = await world.state.getSyncState(world.repo.uuid);
  expect(state).toMatchObject({ cursor: head, pattern });
  expect(state.progress).toBeUndefined();
}
