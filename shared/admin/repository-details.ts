// Everything about one added repository in one place (configuration, stored token and who shares it, the hub
// webhook as Bitbucket has it now, sync state, last runs, models): `repo show` and the admin API's detail view.
import type { SyncRunEvent } from '../domain/logged-event';
import type { RepositoryConfig } from '../domain/repository-config';
import type { BitbucketWebhook } from '../bitbucket/bitbucket-webhooks';
import { hubIdentity, isHubWebhook } from '../bitbucket/webhook-setup';
import { explainBitbucketError } from './bitbucket-errors';
import { shownCommits, shownCounts, toListing } from './event-listing';
import type { HubContext } from './hub-context';
import { describeRepository, type RepositoryListing } from './repository-listing';

/** The hub's webhook of the repository as Bitbucket has it now, and whether it matches the hub. */
export interface WebhookCheck {
  /** `present`, `missing`, or `unknown` (Bitbucket could not be asked: see `error`). */
  state: 'present' | 'missing' | 'unknown';
  uuid?: string;
  url?: string;
  active?: boolean;
  events?: string[];
  secretSet?: boolean;
  /** The hook posts to the hub's webhook URL. */
  urlMatches?: boolean;
  /** The hook is sent for `repo:push`. */
  eventsMatch?: boolean;
  error?: string;
}

/** `repo show --json`. */
export interface RepositoryDetails {
  repository: string;
  uuid: string;
  workspaceUuid: string | null;
  modelPattern: string;
  addedAt: string | null;
  generation: string | null;
  token: { tokenId: string | null; secretName: string; stored: boolean; sharedWith: string[] };
  webhook: WebhookCheck;
  sync: RepositoryListing;
  models: { total: number; byStatus: Record<string, number> };
  lastRuns: Array<{ time: string; outcome: string | null; commits: string | null; models: string | null; reason: string | null }>;
}

/** Gathers what `repo show` prints. */
export async function repositoryDetails(context: HubContext, repository: RepositoryConfig, now: Date): Promise<RepositoryDetails> {
  const [all, token, sync, models, events] = await Promise.all([
    context.repositories.listRepositories(),
    context.secrets.readToken(repository),
    describeRepository(context, repository, now),
    context.models.listModels(repository.uuid),
    context.events.list({ repositoryUuid: repository.uuid, limit: 50 }),
  ]);
  const byStatus: Record<string, number> = {};
  for (const model of models) byStatus[model.status] = (byStatus[model.status] ?? 0) + 1;
  const runs = events.filter((event): event is SyncRunEvent => event.kind === 'sync').slice(0, 5);
  return {
    repository: repository.fullName,
    uuid: repository.uuid,
    workspaceUuid: repository.workspaceUuid ?? null,
    modelPattern: repository.modelPattern,
    addedAt: repository.addedAt ?? null,
    generation: repository.generation ?? null,
    token: {
      tokenId: repository.tokenId ?? null,
      secretName: context.secrets.tokenSecretName(repository),
      stored: token !== undefined,
      sharedWith: all
        .filter((other) => other.uuid !== repository.uuid && repository.tokenId !== undefined && other.tokenId === repository.tokenId)
        .map((other) => other.fullName),
    },
    webhook:
      token === undefined
        ? { state: 'unknown', error: 'no stored token to ask Bitbucket with' }
        : await checkWebhook(context, repository, token),
    sync,
    models: { total: models.length, byStatus },
    lastRuns: runs.map((run) => {
      const listing = toListing(run);
      return {
        time: listing.time,
        outcome: listing.outcome,
        commits: shownCommits(listing),
        models: shownCounts(listing),
        reason: listing.reason === listing.outcome ? null : listing.reason,
      };
    }),
  };
}

/** Reads the repository's webhooks with its stored token and compares the hub's with what the hub needs. */
async function checkWebhook(context: HubContext, repository: RepositoryConfig, token: string): Promise<WebhookCheck> {
  const hub = hubIdentity(context.target.webhookUrl, context.target.webhookSecretId);
  let hooks: BitbucketWebhook[];
  try {
    hooks = await context.bitbucket(token).listWebhooks(repository);
  } catch (error) {
    return {
      state: 'unknown',
      error: (explainBitbucketError(error, repository.fullName, context.target.bitbucketApiUrl) as Error).message,
    };
  }
  const hook = hooks.find((candidate) => isHubWebhook(candidate, hub));
  if (!hook) return { state: 'missing' };
  return {
    state: 'present',
    uuid: hook.uuid,
    url: hook.url,
    active: hook.active,
    events: hook.events,
    secretSet: hook.secretSet,
    urlMatches: hook.url === hub.webhookUrl,
    eventsMatch: hook.events.includes('repo:push'),
  };
}
