/**
 * The repositories of the read API: what a consumer sees of an added repository (name, branch, synced commit and
 * time, status, model count), never its token or webhook. The status reads as `repo list` shows it.
 */
import type { RepositoryConfig } from '../repository-config';
import type { SyncRunEvent } from '../logged-event';
import { repositoryStatus, type RepositoryStatus } from '../repository-status';
import type { SyncState } from '../sync/ports';
import { ReadError, invalidParameter } from './errors';
import type { ReadPorts } from './ports';

/** One repository as the read API shows it. */
export interface RepositoryView {
  readonly uuid: string;
  /** `workspace/repo_slug` as last known (a rename changes it; the uuid stays). */
  readonly fullName: string;
  /** The branch replicated (the default branch), or null before the first sync. */
  readonly branch: string | null;
  /** The last commit whose models are fully replicated, or null before the first complete sync. */
  readonly syncedCommit: string | null;
  /** When the last sync run ended, or null. */
  readonly syncedAt: string | null;
  /** pending, syncing, synced, failed, rate-limited, blocked, empty (no default branch). */
  readonly status: RepositoryStatus;
  /** Why, for failed, blocked and rate-limited. */
  readonly statusReason: string | null;
  readonly modelCount: number;
  /** The gitignore-style pattern that selects its models. */
  readonly modelPattern: string;
}

/** Sync runs are looked for among this many latest events of a repository. */
const RECENT_EVENTS = 20;

/** Every added repository, by name. */
export async function listRepositories(ports: ReadPorts): Promise<RepositoryView[]> {
  const repositories = await ports.repositories.listRepositories();
  return Promise.all(repositories.map((repository) => describe(ports, repository)));
}

/** One added repository; throws a `not-found` ReadError when it is not added. */
export async function getRepository(ports: ReadPorts, uuid: string): Promise<RepositoryView> {
  return describe(ports, await findRepository(ports, uuid));
}

/** The added repository with this uuid (braces optional), or a ReadError saying what to do. */
export async function findRepository(ports: ReadPorts, uuid: string): Promise<RepositoryConfig> {
  const braced = normalizeRepositoryUuid(uuid);
  const repository = await ports.repositories.getRepository(braced);
  if (!repository)
    throw new ReadError(
      'not-found',
      'repository-not-found',
      `no repository ${braced} is added to this hub`,
      'GET /repositories lists them',
    );
  return repository;
}

const UUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/** A repository uuid as Bitbucket spells it (lower case, in braces), from one with or without braces. */
export function normalizeRepositoryUuid(uuid: string): string {
  const match = UUID.exec(uuid);
  if (!match) throw invalidParameter('repository', 'is not a repository uuid', 'use the uuid of GET /repositories, e.g. {5d0c…}');
  return `{${match[1]!.toLowerCase()}}`;
}

async function describe(ports: ReadPorts, repository: RepositoryConfig): Promise<RepositoryView> {
  const [state, events] = await Promise.all([
    ports.repositories.getSyncState(repository.uuid),
    ports.events.list({ repositoryUuid: repository.uuid, limit: RECENT_EVENTS }),
  ]);
  const modelCount = await countModels(ports, repository, state);
  const lastRun = events.find((event): event is SyncRunEvent => event.kind === 'sync' && event.outcome !== 'partial');
  const { status, reason } = repositoryStatus(state, lastRun, (ports.now ?? (() => new Date()))());
  return {
    uuid: repository.uuid,
    fullName: repository.fullName,
    branch: state.branch ?? state.progress?.branch ?? null,
    syncedCommit: state.cursor ?? null,
    syncedAt: lastRun?.at ?? state.lastRun?.at ?? null,
    status,
    statusReason: reason ?? null,
    modelCount,
    modelPattern: repository.modelPattern,
  };
}

/**
 * The repository's model count. Counting reads every record (and bills its inline body), so a container keeps the
 * count of each sync state revision: syncs write the state after their model writes (each checkpoint is a new
 * revision), so the models change only together with the revision, give or take one invocation in flight.
 */
async function countModels(ports: ReadPorts, repository: RepositoryConfig, state: SyncState): Promise<number> {
  const key = JSON.stringify([repository.uuid, repository.generation ?? '', state.revision]);
  const cached = ports.modelCounts?.get(key);
  if (cached !== undefined) return cached;
  const count = await ports.models.countModels(repository.uuid);
  if (ports.modelCounts) {
    if (ports.modelCounts.size >= MAX_CACHED_COUNTS) ports.modelCounts.clear();
    ports.modelCounts.set(key, count);
  }
  return count;
}

/** Counts a container keeps at most (one per repository and revision seen). */
const MAX_CACHED_COUNTS = 10_000;
