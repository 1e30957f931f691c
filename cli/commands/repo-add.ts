// `repo add <workspace/slug>` adds one repository; `repo add <workspace>` lists the workspace's repositories the
// token can read and adds the ones picked (on a terminal), matched (`--match`) or all (`--all`), with one stored token.
import type { Command } from 'commander';
import { DEFAULT_MODEL_PATTERN } from '../../shared/models/model-selection';
import {
  addCheckedRepository,
  checkRepositoryAccess,
  once,
  type AddedRepository,
  type AddOptions,
} from '../../shared/admin/add-repository';
import type { CommandKit } from '../command-kit';
import { AdminError, explainError, usageError } from '../../shared/admin/errors';
import type { HubContext } from '../../shared/admin/hub-context';
import { parseRepositoryName } from '../../shared/admin/repository-name';
import { formatTable, printJson } from '../output';
import { storeAccessToken } from '../../shared/admin/stored-tokens';
import { readAccessToken } from '../token-input';
import { parseTimeout, reportSync, syncAndMaybeWait, type WaitFlags } from '../wait-for-sync';
import { queueSync, type SyncResult } from '../../shared/admin/sync-progress';
import { globToRegExp, matchCandidates, type Candidate } from '../../shared/admin/workspace-selection';
import { checkWorkspaceName, listWorkspaceCandidates } from '../../shared/admin/workspace-listing';

type AddFlags = AddOptions & WaitFlags & { match?: string; all?: boolean };

/** One line of `repo add <workspace> --json`. */
export interface WorkspaceAddResult {
  repository: string;
  uuid: string;
  /** added: newly added; already-added: skipped, it was added before; failed: see `error`. */
  result: 'added' | 'already-added' | 'failed';
  error?: string;
  webhook?: { action: string; uuid: string; url: string } | null;
  sync?: ({ requestUuid: string } & (SyncResult | { outcome: string })) | null;
}

/** Registers `repo add` under `repo`. */
export function registerRepoAddCommand(repo: Command, kit: CommandKit): void {
  repo
    .command('add')
    .description(
      'add a repository (workspace/slug), or pick repositories of a workspace (workspace): check the access token (stdin or BITBUCKET_ACCESS_TOKEN), store it once, optionally create the webhooks, run the initial full syncs',
    )
    .argument('<workspace[/slug]>', 'a Bitbucket repository as in bitbucket.org/<workspace>/<slug>, or a workspace to pick from')
    .option('--match <glob>', 'with a workspace: add the repositories whose slug matches (e.g. "models-*")')
    .option('--all', 'with a workspace: add every repository the token can read')
    .option('--pattern <glob>', 'gitignore-style pattern of model files', DEFAULT_MODEL_PATTERN)
    .option('--create-webhook', "create the repository's repo:push webhook to the hub (or update the hub's existing one)")
    .option('--webhook-url <url>', "URL for the webhook instead of the hub's (e.g. a tunnel to a local hub)")
    .option('--no-wait', 'queue the initial sync and return')
    .option('--timeout <seconds>', 'how long to wait for the sync', parseTimeout, 1800)
    .option('--json', 'print the result as one JSON document')
    .action(async (target: string, options: AddFlags, command: Command) => {
      const workspace = target.includes('/') ? undefined : target;
      let token: string | undefined;
      await kit.runWithoutContext(command, async () => {
        if (workspace === undefined) {
          parseRepositoryName(target);
          if (options.match !== undefined || options.all) throw usageError('--match and --all take a workspace, not workspace/slug');
        } else checkWorkspaceName(workspace);
        if (options.match !== undefined && options.all) throw usageError('give either --match or --all, not both');
        if (options.match !== undefined)
          try {
            globToRegExp(options.match);
          } catch (error) {
            throw usageError(`--match: ${(error as Error).message}`);
          }
        if (options.webhookUrl && !options.createWebhook) throw usageError('--webhook-url needs --create-webhook');
        if (options.webhookUrl && !/^https?:\/\//.test(options.webhookUrl))
          throw usageError(`--webhook-url must be an http(s) URL, got ${options.webhookUrl}`);
        token = await readAccessToken(kit.deps, { required: true, ask: true });
      });
      await kit.run(command, async (context) => {
        if (workspace === undefined) await addOne(kit, context, target, token!, options);
        else await addFromWorkspace(kit, context, workspace, token!, options);
      });
    });
}

/** `repo add ws/slug`: the single-repository path, failing on the first problem. */
async function addOne(kit: CommandKit, context: HubContext, fullName: string, token: string, options: AddFlags): Promise<void> {
  const client = context.bitbucket(token);
  const info = await checkRepositoryAccess(kit, context, client, fullName, options);
  const added = await addCheckedRepository(kit, context, client, info, () => storeAccessToken(context, token), options);
  const sync = await syncAndMaybeWait(
    kit,
    context,
    added.config,
    added.existing ? {} : { mode: 'full' },
    options,
    added.existing ? 'A sync of recent changes' : 'The initial full sync',
  );
  if (options.json)
    printJson(kit.deps.stdout, {
      repository: info.fullName,
      uuid: info.uuid,
      branch: info.mainBranch ?? null,
      added: !added.existing,
      modelPattern: added.config.modelPattern,
      webhook: webhookJson(added),
      sync: { requestUuid: sync.requestUuid, ...(sync.result ?? { outcome: 'queued' }) },
    });
}

/** `repo add <workspace>`: list, pick, then add each picked repository, going on past failures. */
async function addFromWorkspace(kit: CommandKit, context: HubContext, workspace: string, token: string, options: AddFlags): Promise<void> {
  const client = context.bitbucket(token);
  const candidates = await listWorkspaceCandidates(kit, context, client, workspace);
  const picked = await pick(kit, candidates, workspace, options);
  const skipped = picked.filter((candidate) => candidate.added);
  const toAdd = picked.filter((candidate) => !candidate.added);
  for (const candidate of skipped) kit.note(`${candidate.repository.fullName}: already added, skipped.`);
  const storeToken = once(() => storeAccessToken(context, token));
  const results: WorkspaceAddResult[] = skipped.map((candidate) => ({
    repository: candidate.repository.fullName,
    uuid: candidate.repository.uuid,
    result: 'already-added',
  }));
  const queued: Array<{ added: AddedRepository; result: WorkspaceAddResult; request: Awaited<ReturnType<typeof queueSync>> }> = [];
  for (const [index, candidate] of toAdd.entries()) {
    const { fullName, uuid } = candidate.repository;
    kit.note(`[${index + 1}/${toAdd.length}] ${fullName}`);
    try {
      const info = await checkRepositoryAccess(kit, context, client, fullName, options);
      const added = await addCheckedRepository(kit, context, client, info, storeToken, options);
      const request = await queueSync(context, added.config, { mode: 'full' }, kit.now());
      kit.note(`The initial full sync of ${fullName} queued (request ${request.requestUuid}).`);
      const result: WorkspaceAddResult = { repository: info.fullName, uuid, result: 'added', webhook: webhookJson(added) };
      result.sync = { requestUuid: request.requestUuid, outcome: 'queued' };
      results.push(result);
      queued.push({ added, result, request });
    } catch (error) {
      const explained = explainError(error);
      kit.note(`${fullName}: FAILED: ${explained.message}${explained.hint ? `\nnext: ${explained.hint}` : ''}`);
      results.push({ repository: fullName, uuid, result: 'failed', error: explained.message });
    }
  }
  if (options.wait)
    for (const { added, result, request } of queued) {
      try {
        const done = await reportSync(kit, context, added.config, request, options);
        result.sync = { requestUuid: request.requestUuid, ...done };
      } catch (error) {
        const explained = explainError(error);
        kit.note(`${added.config.fullName}: the initial sync did not finish: ${explained.message}`);
        result.result = 'failed';
        result.error = explained.message;
      }
    }
  const failed = results.filter((result) => result.result === 'failed');
  kit.note(
    `Summary for ${workspace}: ${results.filter((result) => result.result === 'added').length} added, ${skipped.length} already added, ${failed.length} failed${picked.length === 0 ? ' (nothing picked)' : ''}.`,
  );
  if (options.json) printJson(kit.deps.stdout, results);
  if (failed.length > 0)
    throw new AdminError(
      `${failed.length} of ${toAdd.length} repositories could not be added: ${failed.map((result) => result.repository).join(', ')}`,
      {
        hint: 'fix the cause named above, then run the same command again (repositories already added are skipped)',
      },
    );
}

/** The candidates to add: `--all`, `--match`, the terminal's multi-select, or (none of those) a usage error listing them. */
async function pick(kit: CommandKit, candidates: readonly Candidate[], workspace: string, options: AddFlags): Promise<Candidate[]> {
  if (options.all) return [...candidates];
  if (options.match !== undefined) {
    const matched = matchCandidates(candidates, options.match);
    if (matched.length === 0)
      throw new AdminError(`no repository of ${workspace} that the token can read has a slug matching ${JSON.stringify(options.match)}`, {
        hint: `the readable ones are: ${candidates.map((candidate) => candidate.repository.slug).join(', ')}`,
      });
    return matched;
  }
  const chosen = await kit.deps.chooseRepositories?.(
    `Repositories of ${workspace} to add (space selects, enter confirms)`,
    candidates.map((candidate) => ({
      value: candidate.repository.uuid,
      name: candidate.repository.fullName,
      ...(candidate.added ? { disabled: 'already added' } : {}),
    })),
  );
  if (chosen !== undefined) return candidates.filter((candidate) => chosen.includes(candidate.repository.uuid));
  kit.deps.stdout.write(
    formatTable(
      ['repository', 'branch', 'added'],
      candidates.map((candidate) => [candidate.repository.fullName, candidate.repository.mainBranch, candidate.added ? 'yes' : 'no']),
    ),
  );
  throw usageError(
    `no terminal to pick repositories of ${workspace} on`,
    `add them with \`repo add ${workspace} --match '<glob>'\` (e.g. --match '${candidates.find((candidate) => !candidate.added)?.repository.slug ?? candidates[0]!.repository.slug}') or \`repo add ${workspace} --all\`, or run it on a terminal to choose`,
  );
}

function webhookJson(added: AddedRepository): WorkspaceAddResult['webhook'] {
  return added.webhook ? { action: added.webhook.action, uuid: added.webhook.hook.uuid, url: added.webhook.hook.url } : null;
}
