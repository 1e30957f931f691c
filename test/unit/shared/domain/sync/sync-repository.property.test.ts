/**
 * The sync engine's promise on the in-memory fakes, over many random seeds: whatever happened before (pattern
 * changes and reverts, default branch switches, stops at the deadline, rate-limit parking, failing state writes,
 * binary models renamed and edited, admin overrides), one unhindered sync leaves the stored models equal to the
 * head's models byte for byte. Replay a failure with FC_SEED=<seed> (and FC_PATH=<path>); FC_RUNS sets the count.
 */
import fc from 'fast-check';
import { syncRepository, type SyncOptions } from '../../../../../shared/domain/sync/sync-repository';
import type { SyncStateStore } from '../../../../../shared/domain/sync/ports';
import { createModelSelector } from '../../../../../shared/models/model-selection';
import { InMemoryModelStore } from '../../../../support/in-memory/in-memory-model-store';
import { InMemoryRepositoryStore } from '../../../../support/in-memory/in-memory-repository-store';
import { InMemoryRepository } from '../../../../support/in-memory/in-memory-source-repository';

const PATHS = ['a.hck.json', 'keep/b.hck.json', 'keep/c.hck.json', 'd.json', 'x/e.hck.json', 'notes.md'];
const PATTERNS = ['*.hck.json', 'keep/*.hck.json', '*.json'];

// --- History: what happens in the repository -------------------------------------------------------------------
type Edit =
  | { kind: 'write'; path: number; binary: boolean }
  | { kind: 'delete'; pick: number }
  | { kind: 'rename'; pick: number; to: number; edit: boolean };
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), path: fc.nat(PATHS.length - 1), binary: fc.boolean() }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('rename' as const), pick: fc.nat(), to: fc.nat(PATHS.length - 1), edit: fc.boolean() }),
);

// --- Admin and environment: pattern changes, branch switches, and how each sync is hindered ----------------------
interface Hindrance {
  /** Ops applied before the deadline stops the sync (undefined: time enough). */
  readonly stopAfter?: number;
  /** Bitbucket's rate limit hits when this path (an index in PATHS) is downloaded. */
  readonly rateLimitAt?: number;
  /** The n-th state write of the run fails. */
  readonly failStateWrite?: number;
  readonly admin?: 'full' | 'from-head';
}
const hindrance: fc.Arbitrary<Hindrance> = fc.record(
  {
    stopAfter: fc.nat(6),
    rateLimitAt: fc.nat(PATHS.length - 1),
    failStateWrite: fc.integer({ min: 1, max: 4 }),
    admin: fc.constantFrom('full' as const, 'from-head' as const),
  },
  { requiredKeys: [] },
);
type Step =
  | { kind: 'commit'; edits: Edit[] }
  | { kind: 'pattern'; pattern: number }
  | { kind: 'switch-branch' }
  | { kind: 'sync'; hindrance: Hindrance };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('commit' as const), edits: fc.array(edit, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pattern' as const), pattern: fc.nat(PATTERNS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('switch-branch' as const) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), hindrance }) },
);

/** A model body: text JSON, or binary (a NUL byte: Bitbucket counts 0 lines changed) with a few shared lines. */
function body(path: string, binary: boolean, version: number): Buffer {
  const lines = [`{"modelName":"${path}","v":${version}}`, 'line one', 'line two', 'line three'];
  return Buffer.from(binary ? `${lines.join('\n')}\n\u0000\n` : `${lines.join('\n')}\n`);
}

describe('syncRepository converges (property, in memory)', () => {
  it('stores exactly the head models after any history of changes, stops and failures', async () => {
    const seed = process.env.FC_SEED === undefined ? 20261130 : Number(process.env.FC_SEED);
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const repo = new InMemoryRepository();
        const models = new InMemoryModelStore();
        const store = new InMemoryRepositoryStore();
        let pattern = PATTERNS[0]!;
        let clock = Date.parse('2026-06-01T00:00:00.000Z');
        let version = 0;
        await repo.commit({ 'a.hck.json': body('a.hck.json', false, 0), 'keep/b.hck.json': body('keep/b.hck.json', true, 0) });

        const run = async (hindered: Hindrance) => {
          clock += 60_000;
          let writes = 0;
          const state: SyncStateStore = {
            getSyncState: (uuid) => store.getSyncState(uuid),
            putSyncState: async (next, expected) => {
              if (++writes === hindered.failStateWrite) throw new Error('DynamoDB unavailable');
              return store.putSyncState(next, expected);
            },
          };
          repo.clearFaults();
          if (hindered.rateLimitAt !== undefined) {
            const limited = PATHS[hindered.rateLimitAt]!;
            repo.addFault({
              method: 'getFile',
              path: new RegExp(`^${limited.replace(/\./g, '\\.')}$`),
              kind: 'rate-limit',
              retryAfterMs: 30_000,
            });
          }
          let budget = hindered.stopAfter === undefined ? Infinity : hindered.stopAfter + 1;
          const options: SyncOptions = {
            remainingTimeMs: () => (budget-- > 0 ? 600_000 : 0),
            concurrency: 2,
            checkpointEvery: 2,
            now: () => new Date(clock),
            ...(hindered.admin === 'full' ? { mode: 'full' as const, ignoreNotBefore: true } : {}),
            ...(hindered.admin === 'from-head' ? { fromCommit: await repo.head(), ignoreNotBefore: true } : {}),
          };
          await syncRepository({ uuid: repo.uuid, fullName: repo.fullName, modelPattern: pattern }, options, {
            source: repo.source(),
            models,
            state,
          }).catch(() => undefined); // a failed invocation: the queue retries it
          repo.clearFaults();
        };

        for (const current of steps) {
          if (current.kind === 'commit') {
            const files = await repo.readFiles(await repo.head());
            const changes: Record<string, Buffer | null> = {};
            const renames: Array<[string, string]> = [];
            for (const change of current.edits) {
              const existing = [...files.keys()].sort();
              version += 1;
              if (change.kind === 'write') {
                const path = PATHS[change.path]!;
                files.set(path, (changes[path] = body(path, change.binary, version)));
              } else if (existing.length > 0 && change.kind === 'delete') {
                const path = existing[change.pick % existing.length]!;
                files.delete(path);
                changes[path] = null;
              } else if (existing.length > 0 && change.kind === 'rename') {
                const from = existing[change.pick % existing.length]!;
                const to = PATHS[change.to]!;
                if (from === to || files.has(to) || from in changes || to in changes) continue;
                const bytes = files.get(from)!;
                renames.push([from, to]);
                files.delete(from);
                // An edit keeps most lines, so git still pairs the two paths as a rename.
                const edited = change.edit ? Buffer.from(bytes.toString('utf8').replace(/"v":\d+/, `"v":${version}`)) : bytes;
                files.set(to, edited);
                if (change.edit) changes[to] = edited;
              }
            }
            await repo.commit(changes, { renames });
          } else if (current.kind === 'pattern') {
            pattern = PATTERNS[current.pattern]!;
          } else if (current.kind === 'switch-branch') {
            const other = repo.mainBranch === 'main' ? 'develop' : 'main';
            if (!(await repo.head(other).catch(() => undefined))) {
              await repo.createBranch(other, await repo.head());
              await repo.commit({ 'keep/c.hck.json': body(`${other}/c`, false, (version += 1)) }, { branch: other });
            }
            repo.setMainBranch(other);
          } else {
            await run(current.hindrance);
          }
        }

        // One unhindered sync, as the next push, the schedule or a retry runs it once the parking is over.
        clock += 3_600_000;
        await run({});
        const head = await repo.head();
        const files = await repo.readFiles(head);
        const isModel = createModelSelector({ pattern, hubignore: '' });
        const expected = Object.fromEntries([...files].filter(([path]) => isModel(path)).map(([path, bytes]) => [path, bytes.toString()]));
        const stored: Record<string, string> = {};
        for (const record of await models.listModels(repo.uuid))
          stored[record.path] = (await models.getModel(repo.uuid, record.path))!.body.toString();
        expect(stored).toEqual(expected);
        expect(await store.getSyncState(repo.uuid)).toMatchObject({ cursor: head, pattern, branch: repo.mainBranch });
      }),
      {
        numRuns: Number(process.env.FC_RUNS ?? 300),
        seed,
        ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
        verbose: 1,
      },
    );
  }, 120_000);
});
