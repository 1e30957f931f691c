// Adding several repositories readable with one access token (the console's add flow): each is checked, stored
// and given its initial full sync on its own, the token is stored once, and one failure does not stop the rest.
import { DEFAULT_MODEL_PATTERN } from '../models/model-selection';
import type { AddResultJson } from './api-types';
import { addCheckedRepository, checkRepositoryAccess, once, type AddOptions } from './add-repository';
import type { AdminRun } from './admin-run';
import { explainError, usageError } from './errors';
import type { HubContext } from './hub-context';
import { parseRepositoryName } from './repository-name';
import { storeAccessToken } from './stored-tokens';
import { requestSync } from './sync-progress';

/** What to add: `workspace/slug` names, the token that reads them, and how. */
export interface AddRequest {
  readonly repositories: readonly string[];
  readonly token: string;
  readonly pattern?: string;
  readonly createWebhook?: boolean;
  readonly webhookUrl?: string;
}

/** At most this many repositories per call (each costs a few Bitbucket requests while the admin waits). */
export const MAX_REPOSITORIES_PER_ADD = 25;

/** Adds each repository not added yet and queues its initial full sync; returns one result per name, in order. */
export async function addRepositories(run: AdminRun, context: HubContext, request: AddRequest): Promise<AddResultJson[]> {
  if (request.repositories.length === 0) throw usageError('"repositories" names no repository', 'name them as workspace/slug');
  if (request.repositories.length > MAX_REPOSITORIES_PER_ADD)
    throw usageError(`at most ${MAX_REPOSITORIES_PER_ADD} repositories can be added at once`, 'add the rest in a second step');
  for (const fullName of request.repositories) parseRepositoryName(fullName);
  if (request.webhookUrl && !/^https?:\/\//.test(request.webhookUrl))
    throw usageError(`"webhookUrl" must be an http(s) URL, got ${JSON.stringify(request.webhookUrl.slice(0, 200))}`);
  const options: AddOptions = {
    pattern: request.pattern ?? DEFAULT_MODEL_PATTERN,
    createWebhook: request.createWebhook ?? true,
    ...(request.webhookUrl ? { webhookUrl: request.webhookUrl } : {}),
  };
  const client = context.bitbucket(request.token);
  const storeToken = once(() => storeAccessToken(context, request.token));
  const results: AddResultJson[] = [];
  for (const fullName of [...new Set(request.repositories)]) {
    try {
      const info = await checkRepositoryAccess(run, context, client, fullName, options);
      if (await context.repositories.getRepository(info.uuid)) {
        run.note(`${info.fullName}: already added, skipped.`);
        results.push({ repository: info.fullName, uuid: info.uuid, result: 'already-added' });
        continue;
      }
      const added = await addCheckedRepository(run, context, client, info, storeToken, options);
      const sync = await requestSync(run, context, added.config, { mode: 'full' }, 'The initial full sync');
      results.push({
        repository: info.fullName,
        uuid: info.uuid,
        result: 'added',
        webhook: added.webhook ? { action: added.webhook.action, uuid: added.webhook.hook.uuid, url: added.webhook.hook.url } : null,
        sync: { requestUuid: sync.requestUuid, outcome: 'queued' },
      });
    } catch (error) {
      const explained = explainError(error);
      run.note(`${fullName}: FAILED: ${explained.message}${explained.hint ? `\nnext: ${explained.hint}` : ''}`);
      results.push({
        repository: fullName,
        uuid: null,
        result: 'failed',
        error: { message: explained.message, ...(explained.hint ? { hint: explained.hint } : {}), code: explained.code },
      });
    }
  }
  return results;
}
