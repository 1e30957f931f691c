// Routes of the repositories: the workspace listing of the add flow, add, list, show, update (pattern or token),
// remove after confirmation, the three syncs and verify, and a queued sync's status by its request id.
import type {
  AddRepositoriesResponse,
  RemoveRepositoryResponse,
  RepositoriesResponse,
  RepositoryDetailsResponse,
  SyncQueuedResponse,
  UpdateRepositoryResponse,
  WorkspaceRepositoriesResponse,
} from '../api-types';
import { addRepositories } from '../add-repositories';
import { usageError } from '../errors';
import { repositoryDetails } from '../repository-details';
import { changeAccessToken, changeModelPattern, removeAddedRepository } from '../repository-changes';
import { describeRepository } from '../repository-listing';
import { requestSync, type SyncAction } from '../sync-progress';
import { syncStatus } from '../sync-status';
import { checkWorkspaceName, listWorkspaceCandidates } from '../workspace-listing';
import { globToRegExp, matchCandidates } from '../workspace-selection';
import { accessToken, optionalBoolean, optionalString, requiredString } from './http';
import type { AdminCall } from './router';
import type { AdminRoute } from './routes';

/** The sync a body asks for: recent changes (default), the entire repository, or from a commit; and verify. */
function syncActionOf(body: Record<string, unknown>): { action: SyncAction; label: string } {
  const mode = optionalString(body, 'mode') ?? 'recent';
  const verify = optionalBoolean(body, 'verify') ?? false;
  let base: SyncAction;
  let label: string;
  if (mode === 'recent') [base, label] = [{}, 'A sync of recent changes'];
  else if (mode === 'entire') [base, label] = [{ mode: 'full' }, 'A full sync'];
  else if (mode === 'from-commit') {
    const commit = requiredString(body, 'fromCommit', "copy it from Bitbucket's commit list or `git log`");
    if (!/^[0-9a-f]{7,40}$/i.test(commit))
      throw usageError(`"fromCommit" needs a commit hash (7 to 40 hexadecimal characters), got ${JSON.stringify(commit.slice(0, 60))}`);
    [base, label] = [{ fromCommit: commit.toLowerCase() }, `A sync from ${commit.slice(0, 7)}`];
  } else throw usageError(`"mode" must be recent, entire or from-commit, got ${JSON.stringify(mode.slice(0, 60))}`);
  return verify ? { action: { ...base, verify: true }, label: `${label} and verification` } : { action: base, label };
}

async function queueSyncOf({ hub, run, params, messages }: AdminCall, body: Record<string, unknown>) {
  const repository = await hub.findRepositoryByUuid(params.uuid!);
  const { action, label } = syncActionOf(body);
  const request = await requestSync(run, hub, repository, action, label);
  const answer: SyncQueuedResponse = {
    repository: repository.fullName,
    uuid: repository.uuid,
    requestUuid: request.requestUuid,
    requestedAt: request.requestedAt,
    messages: messages(),
  };
  return { status: 202, body: answer };
}

export const REPOSITORY_ROUTES: readonly AdminRoute[] = [
  {
    method: 'POST',
    path: 'workspace-repositories',
    handle: async ({ hub, run, body, messages }) => {
      const input = body();
      const workspace = requiredString(input, 'workspace', 'the workspace as in bitbucket.org/<workspace>');
      checkWorkspaceName(workspace);
      const match = optionalString(input, 'match');
      if (match !== undefined)
        try {
          globToRegExp(match);
        } catch (error) {
          throw usageError(`"match": ${(error as Error).message}`);
        }
      const token = accessToken(input, true)!;
      const all = await listWorkspaceCandidates(run, hub, hub.bitbucket(token), workspace);
      const candidates = match === undefined ? all : matchCandidates(all, match);
      const answer: WorkspaceRepositoriesResponse = {
        workspace,
        repositories: candidates.map(({ repository, added }) => ({
          uuid: repository.uuid,
          fullName: repository.fullName,
          slug: repository.slug,
          name: repository.name,
          mainBranch: repository.mainBranch ?? null,
          added,
        })),
        messages: messages(),
      };
      return { body: answer };
    },
  },
  {
    method: 'GET',
    path: 'repositories',
    handle: async ({ hub, run }) => {
      const repositories = [];
      for (const repository of await hub.repositories.listRepositories())
        repositories.push(await describeRepository(hub, repository, run.now()));
      const body: RepositoriesResponse = { repositories };
      return { body };
    },
  },
  {
    method: 'POST',
    path: 'repositories',
    handle: async ({ hub, run, body, messages }) => {
      const input = body();
      const names = input.repositories;
      if (!Array.isArray(names) || names.some((name) => typeof name !== 'string'))
        throw usageError('"repositories" must be a list of workspace/slug names');
      const pattern = optionalString(input, 'pattern');
      const createWebhook = optionalBoolean(input, 'createWebhook');
      const webhookUrl = optionalString(input, 'webhookUrl');
      const results = await addRepositories(run, hub, {
        repositories: names as string[],
        token: accessToken(input, true)!,
        ...(pattern ? { pattern } : {}),
        ...(createWebhook === undefined ? {} : { createWebhook }),
        ...(webhookUrl ? { webhookUrl } : {}),
      });
      const answer: AddRepositoriesResponse = { results, messages: messages() };
      return { body: answer };
    },
  },
  {
    method: 'GET',
    path: 'repositories/{uuid}',
    handle: async ({ hub, run, params }) => {
      const body: RepositoryDetailsResponse = await repositoryDetails(hub, await hub.findRepositoryByUuid(params.uuid!), run.now());
      return { body };
    },
  },
  {
    method: 'PATCH',
    path: 'repositories/{uuid}',
    handle: async ({ hub, run, params, body, messages }) => {
      const input = body();
      const pattern = optionalString(input, 'pattern');
      const token = accessToken(input, false);
      if (pattern === undefined && token === undefined) throw usageError('give a new "pattern", a new "token", or both');
      let repository = await hub.findRepositoryByUuid(params.uuid!);
      let replaced: UpdateRepositoryResponse['token'] = null;
      if (token) {
        const changed = await changeAccessToken(run, hub, repository.fullName, token);
        repository = changed.repository;
        const names = (list: readonly { fullName: string }[]) => list.map((user) => user.fullName);
        replaced = { updated: names(changed.replacement.updated), kept: names(changed.replacement.kept) };
      }
      let sync: UpdateRepositoryResponse['sync'] = null;
      if (pattern !== undefined) {
        repository = await changeModelPattern(run, hub, repository, pattern);
        sync = { requestUuid: (await requestSync(run, hub, repository, {}, 'A sync with the new pattern')).requestUuid };
      }
      const answer: UpdateRepositoryResponse = {
        repository: await describeRepository(hub, repository, run.now()),
        token: replaced,
        sync,
        messages: messages(),
      };
      return { body: answer };
    },
  },
  {
    method: 'POST',
    path: 'repositories/{uuid}/remove',
    handle: async ({ hub, run, params, body, messages }) => {
      const input = body();
      const repository = await hub.findRepositoryByUuid(params.uuid!);
      const confirm = optionalString(input, 'confirm');
      if (confirm?.toLowerCase() !== repository.fullName.toLowerCase())
        throw usageError(`removing ${repository.fullName} needs a confirmation`, `send "confirm": "${repository.fullName}" to confirm`);
      const keepModels = optionalBoolean(input, 'keepModels') ?? false;
      const keepWebhook = optionalBoolean(input, 'keepWebhook') ?? false;
      const removal = await removeAddedRepository(run, hub, repository, { keepModels, keepWebhook });
      const answer: RemoveRepositoryResponse = {
        repository: repository.fullName,
        uuid: repository.uuid,
        modelItemsDeleted: removal.modelItemsDeleted ?? null,
        tokenDeleted: removal.tokenUsers.length === 0,
        webhooksDeleted: removal.webhooksDeleted ?? null,
        messages: messages(),
      };
      return { body: answer };
    },
  },
  { method: 'POST', path: 'repositories/{uuid}/sync', handle: (call) => queueSyncOf(call, call.body()) },
  { method: 'POST', path: 'repositories/{uuid}/verify', handle: (call) => queueSyncOf(call, { ...call.body(), verify: true }) },
  {
    method: 'GET',
    path: 'repositories/{uuid}/syncs/{requestUuid}',
    handle: async ({ hub, params }) => ({
      body: await syncStatus(hub, await hub.findRepositoryByUuid(params.uuid!), params.requestUuid!),
    }),
  },
];
