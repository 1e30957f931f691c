/**
 * What a sync holds in memory at once: a git snapshot's blobs are read in turn (each read inflates a whole blob in
 * this process; 8 reads of 31 MiB models at once peaked over 600 MB).
 */
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import type { SourceRepository } from '../../../../../shared/domain/sync/ports';
import { syncRepository } from '../../../../../shared/domain/sync/sync-repository';
import { expectReplicated, newWorld } from '../../../../support/in-memory/sync-world';

describe('reading a git snapshot', () => {
  it('reads the blobs of a snapshot one at a time (each read inflates a whole blob in memory)', async () => {
    const world = newWorld();
    await world.repo.commit(Object.fromEntries(Array.from({ length: 12 }, (_, n) => [`m${n}.hck.json`, `{"n":${n}}`])));
    const source = world.repo.source({ git: true });
    let reading = 0;
    let mostAtOnce = 0;
    // The source itself, with its snapshots' reads counted.
    const counted: SourceRepository = Object.assign(Object.create(source) as SourceRepository, {
      snapshot: async (branch: string) => {
        const snapshot = await source.snapshot!(branch);
        return {
          files: snapshot.files,
          commit: snapshot.commit,
          readFile: async (path: string) => {
            mostAtOnce = Math.max(mostAtOnce, ++reading);
            try {
              // Let the other workers run: any read they start now overlaps this one.
              await new Promise((resolve) => setImmediate(resolve));
              return await snapshot.readFile(path);
            } finally {
              reading -= 1;
            }
          },
          close: () => snapshot.close(),
        };
      },
    });
    const report = await syncRepository(
      { uuid: world.repo.uuid, fullName: world.repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN },
      { remainingTimeMs: () => 600_000, concurrency: 4 },
      { source: counted, models: world.models, state: world.state },
    );
    expect(report).toMatchObject({ outcome: 'synced', transport: 'git', counts: { added: 12 } });
    expect(mostAtOnce).toBe(1);
    await expectReplicated(world);
  });
});
