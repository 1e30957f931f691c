// `repo show <workspace/slug>`: everything about one added repository in one place (configuration, stored token
// and who shares it, the hub webhook as Bitbucket has it now, sync state, last runs, models), so an operator need
// not piece it together from five commands and the Bitbucket UI.
import type { Command } from 'commander';
import type { SyncRunEvent } from '../../shared/domain/logged-event';
import type { RepositoryConfig } from '../../shared/domain/repository-config';
import type { BitbucketWebhook } from '../../shared/bitbucket/bitbucket-webhooks';
import { hubIdentity, isHubWebhook } from '../../shared/bitbucket/webhook-setup';
import { explainBitbucketError } from '../bitbucket-errors';
import type { CommandKit } from '../command-kit';
import type { HubContext } from '../hub-context';
import { formatTable, printJson, shortCommit } from '../output';
import { shownCommits, shownCounts, toListing } from './events';
import { describeRepository, type RepositoryListing } from './repo';

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

/** Registers `repo show`. */
export function registerRepoShowCommand(repo: Command, kit: CommandKit): void {
  repo
    .command('show')
    .description('one repository in full: configuration, stored token and who shares it, its webhook in Bitbucket, last runs, models')
    .argument('<workspace/slug>', 'an added repository')
    .option('--json', 'print one JSON document')
    .action(async (fullName: string, options: { json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const details = await repositoryDetails(context, await context.findRepository(fullName), kit.now());
        if (options.json) return printJson(kit.deps.stdout, details);
        printDetails(kit, details);
      });
    });
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

function printDetails(kit: CommandKit, d: RepositoryDetails): void {
  const webhook = d.webhook;
  const problems = [
    webhook.active === false ? 'INACTIVE' : undefined,
    webhook.urlMatches === false ? `posts to ${webhook.url}, not the hub's URL` : undefined,
    webhook.eventsMatch === false ? 'not sent for repo:push' : undefined,
    webhook.secretSet === false ? 'has no secret' : undefined,
  ].filter(Boolean);
  const shownWebhook =
    webhook.state === 'present'
      ? `${webhook.uuid} ${problems.length > 0 ? `NEEDS ATTENTION: ${problems.join('; ')} (fix with \`repo add ${d.repository} --create-webhook\`)` : 'present, active, URL and events match the hub'}`
      : webhook.state === 'missing'
        ? `MISSING in Bitbucket: pushes reach the hub only through the reconciler; add it with \`repo add ${d.repository} --create-webhook\``
        : `unknown (${webhook.error})`;
  kit.out(`Repository:     ${d.repository} ${d.uuid}`);
  kit.out(`Workspace:      ${d.workspaceUuid ?? '-'}`);
  kit.out(`Model pattern:  ${d.modelPattern}`);
  kit.out(`Added:          ${d.addedAt ?? '-'} (generation ${d.generation ?? '-'})`);
  kit.out(
    `Token:          ${d.token.stored ? 'stored' : 'MISSING'} as ${d.token.secretName}${d.token.sharedWith.length > 0 ? `, shared with ${d.token.sharedWith.join(', ')}` : ', used by this repository only'}`,
  );
  kit.out(`Webhook:        ${shownWebhook}`);
  kit.out(
    `Sync:           ${d.sync.status}${d.sync.reason ? ` (${d.sync.reason})` : ''}, branch ${d.sync.branch ?? '-'} at ${shortCommit(d.sync.syncedCommit) ?? '-'}, last ${d.sync.lastSyncAt ?? 'never'}`,
  );
  kit.out(
    `Models:         ${d.models.total}${
      d.models.total > 0
        ? ` (${Object.entries(d.models.byStatus)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([status, n]) => `${n} ${status}`)
            .join(', ')})`
        : ''
    }`,
  );
  if (d.lastRuns.length === 0) return kit.out('Last runs:      none recorded');
  kit.out('Last runs:');
  kit.deps.stdout.write(
    formatTable(
      ['time', 'outcome', 'commits', 'models', 'detail'],
      d.lastRuns.map((run) => [run.time, run.outcome, run.commits, run.models, run.reason]),
    ),
  );
}
