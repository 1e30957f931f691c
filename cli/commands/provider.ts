// `provider show | rotate-secret | update-webhooks | finish-rotation`: the webhook URL and the webhook secret's rotation.
import type { Command } from 'commander';
import type { CommandKit } from '../command-kit';
import { CliError } from '../errors';
import type { HubContext } from '../hub-context';
import type { WebhookSecretState } from '../../shared/aws/hub-secrets';
import { formatTable, printJson } from '../output';
import type { RepositoryConfig } from '../../shared/domain/repository-config';
import { recordAdminAction } from '../admin-trail';
import { hubIdentity, updateHubWebhookSecret } from '../../shared/bitbucket/webhook-setup';
import { explainBitbucketError } from '../bitbucket-errors';

/** What `provider update-webhooks` did for one repository. */
export interface WebhookUpdate {
  repository: string;
  /** updated: the hub's hook now has the current secret; missing: the repository has no hub hook; failed: see error. */
  result: 'updated' | 'missing' | 'failed';
  error?: string;
}

async function readSecretOrFail(context: HubContext): Promise<WebhookSecretState> {
  const state = await context.secrets.readWebhookSecret();
  if (!state?.current) {
    throw new CliError(`the webhook secret ${context.target.webhookSecretId} is missing or has no "current" value`, {
      hint: 'create one with `provider rotate-secret`',
    });
  }
  return state;
}

/** Milliseconds until every verifier has re-read the secret written at `rotatedAt` (0 when already). */
function cacheWaitMs(kit: CommandKit, state: WebhookSecretState): number {
  if (!state.previous || !state.rotatedAt) return 0;
  return Math.max(0, kit.secretCacheSeconds * 1000 - (kit.now().getTime() - Date.parse(state.rotatedAt)));
}

/**
 * Sets the current secret on the hub's webhook of every added repository. Webhooks may only sign with the new
 * secret once every verifier knows it, so this first waits out the verifiers' secret cache after a rotation.
 */
async function updateAllWebhooks(
  kit: CommandKit,
  context: HubContext,
  state: WebhookSecretState,
  skipCacheWait: boolean,
): Promise<WebhookUpdate[]> {
  const wait = skipCacheWait ? 0 : cacheWaitMs(kit, state);
  if (wait > 0) {
    kit.note(
      `Waiting ${Math.ceil(wait / 1000)} s until every verifier has re-read the secret (they cache it ${kit.secretCacheSeconds} s); until then a delivery signed with the new secret could be refused. Interrupting is safe: run \`provider update-webhooks\` later.`,
    );
    await kit.sleep(wait);
  }
  const updates: WebhookUpdate[] = [];
  for (const repository of await context.repositories.listRepositories()) {
    try {
      const token = await context.secrets.readToken(repository);
      if (!token) throw new CliError('no access token is stored for it (use `repo update` to store one)');
      const count = await updateHubWebhookSecret(
        context.bitbucket(token),
        repository,
        hubIdentity(context.target.webhookUrl, context.target.webhookSecretId),
        state.current,
      ).catch((error: unknown) => {
        throw explainBitbucketError(error, repository.fullName, context.target.bitbucketApiUrl);
      });
      updates.push({ repository: repository.fullName, result: count > 0 ? 'updated' : 'missing' });
      kit.note(
        count > 0
          ? `  ${repository.fullName}: webhook secret updated`
          : `  ${repository.fullName}: no hub webhook (create it with \`repo add ${repository.fullName} --create-webhook\`, or update a hand-made one)`,
      );
    } catch (error) {
      updates.push({ repository: repository.fullName, result: 'failed', error: (error as Error).message });
      kit.note(`  ${repository.fullName}: FAILED: ${(error as Error).message}`);
    }
  }
  return updates;
}

function failIfAnyFailed(updates: readonly WebhookUpdate[]): void {
  const failed = updates.filter((update) => update.result === 'failed');
  if (failed.length > 0) {
    throw new CliError(`the webhook secret could not be updated for ${failed.map((update) => update.repository).join(', ')}`, {
      hint: 'fix the cause shown above, then run `provider update-webhooks`; do not finish the rotation before every webhook has the new secret',
    });
  }
}

/** The stored access tokens and the repositories using each (a workspace token serves several). */
function storedTokens(
  context: HubContext,
  repositories: readonly RepositoryConfig[],
): Array<{ tokenId: string | null; secretName: string; repositories: string[] }> {
  const tokens = new Map<string, { tokenId: string | null; secretName: string; repositories: string[] }>();
  for (const repository of repositories) {
    const secretName = context.secrets.tokenSecretName(repository);
    const token = tokens.get(secretName) ?? { tokenId: repository.tokenId ?? null, secretName, repositories: [] };
    token.repositories.push(repository.fullName);
    tokens.set(secretName, token);
  }
  return [...tokens.values()];
}

/** Registers `provider show | rotate-secret | update-webhooks | finish-rotation`. */
export function registerProviderCommands(program: Command, kit: CommandKit): void {
  const provider = program.command('provider').description('the Bitbucket Cloud provider: webhook URL and webhook secret');

  provider
    .command('show')
    .description('show the webhook URL, whether a webhook secret is set, and the rotation state')
    .option('--json', 'print one JSON document')
    .action(async (options: { json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const state = await context.secrets.readWebhookSecret();
        const rotating = Boolean(state?.previous);
        const repositories = await context.repositories.listRepositories();
        const info = {
          provider: 'bitbucket-cloud',
          hub: context.target.description,
          webhookUrl: context.target.webhookUrl,
          webhookEvents: ['repo:push'],
          webhookSecretId: context.target.webhookSecretId,
          secretSet: Boolean(state?.current),
          rotation: rotating ? { inProgress: true, since: state?.rotatedAt ?? null } : { inProgress: false, since: null },
          bitbucketApiUrl: context.target.bitbucketApiUrl,
          repositories: repositories.length,
          tokens: storedTokens(context, repositories),
        };
        if (options.json) return printJson(kit.deps.stdout, info);
        const read =
          context.target.kind === 'aws'
            ? `aws secretsmanager get-secret-value --secret-id ${context.target.webhookSecretId} --query SecretString --output text`
            : `the "current" value of ${context.target.webhookSecretId} in the data dir's secrets.json`;
        kit.out(`Provider:        Bitbucket Cloud (${info.bitbucketApiUrl})`);
        kit.out(`Hub:             ${info.hub}`);
        kit.out(`Webhook URL:     ${info.webhookUrl}  (trigger: Repository push)`);
        kit.out(
          `Webhook secret:  ${info.secretSet ? `set, in ${info.webhookSecretId} (for a hand-made webhook: ${read})` : 'NOT SET: run `provider rotate-secret`'}`,
        );
        kit.out(
          `Rotation:        ${
            rotating
              ? `in progress since ${state?.rotatedAt ?? '(unknown)'}: the new and the previous secret are both accepted; finish with \`provider finish-rotation\` once every webhook has the new one`
              : 'none (only the current secret is accepted)'
          }`,
        );
        kit.out(`Repositories:    ${info.repositories}`);
        if (info.tokens.length === 0) return;
        kit.out('Stored tokens:');
        kit.deps.stdout.write(
          formatTable(
            ['secret', 'repositories'],
            info.tokens.map((token) => [token.secretName, token.repositories.join(', ')]),
          ),
        );
      });
    });

  provider
    .command('rotate-secret')
    .description('make a new webhook secret; the old one stays accepted until `provider finish-rotation`. Prints the new secret once')
    .option('--update-webhooks', "set the new secret on every added repository's hub webhook (after the verifiers' cache has expired)")
    .option(
      '--skip-cache-wait',
      'do not wait for the verifiers to re-read the secret (only if every verifier was restarted since, e.g. a local hub)',
    )
    .option('--json', 'print the result as one JSON document')
    .action(async (options: { updateWebhooks?: boolean; skipCacheWait?: boolean; json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const state = await context.secrets.readWebhookSecret();
        if (state?.previous) {
          throw new CliError(`a rotation is already in progress (since ${state.rotatedAt ?? 'an unknown time'})`, {
            hint: 'finish it with `provider finish-rotation` once every webhook has the current secret, then rotate again',
          });
        }
        const rotatedAt = kit.now().toISOString();
        const { generateWebhookSecret } = await import('../../shared/aws/hub-secrets.ts');
        const next: WebhookSecretState = { current: generateWebhookSecret(), previous: state?.current ?? '', rotatedAt };
        await context.secrets.writeWebhookSecret(next);
        await recordAdminAction(kit, context, 'rotate-secret', { secretId: context.target.webhookSecretId });
        if (!options.json) {
          // The one place the CLI prints a secret: hand-made webhooks need it, and it cannot be shown again.
          kit.out(next.current);
          kit.note(
            `New webhook secret above (shown once). Both it and the previous one are accepted until \`provider finish-rotation\`; verifiers pick it up within ${kit.secretCacheSeconds} s.`,
          );
        }
        const updates = options.updateWebhooks ? await updateAllWebhooks(kit, context, next, options.skipCacheWait === true) : undefined;
        if (options.json)
          printJson(kit.deps.stdout, {
            secret: next.current,
            rotatedAt,
            previousAccepted: next.previous !== '',
            webhooks: updates ?? null,
          });
        if (updates) failIfAnyFailed(updates);
        kit.note(
          updates
            ? 'Next: check deliveries (`events`), then `provider finish-rotation`.'
            : `Next: put the new secret into every webhook (\`provider update-webhooks\` does it for the hub's webhooks after ${kit.secretCacheSeconds} s), then \`provider finish-rotation\`.`,
        );
      });
    });

  provider
    .command('update-webhooks')
    .description("set the current webhook secret on every added repository's hub webhook")
    .option('--skip-cache-wait', 'do not wait for the verifiers to re-read a freshly rotated secret')
    .option('--json', 'print the result as one JSON document')
    .action(async (options: { skipCacheWait?: boolean; json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const updates = await updateAllWebhooks(kit, context, await readSecretOrFail(context), options.skipCacheWait === true);
        if (options.json) printJson(kit.deps.stdout, updates);
        failIfAnyFailed(updates);
      });
    });

  provider
    .command('finish-rotation')
    .description('stop accepting the previous webhook secret (after every webhook has the new one)')
    .option('--force', "finish even though the rotation is younger than the verifiers' secret cache")
    .action(async (options: { force?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const state = await readSecretOrFail(context);
        if (!state.previous)
          throw new CliError('no rotation is in progress: only the current secret is accepted', {
            hint: 'start one with `provider rotate-secret`',
          });
        const wait = cacheWaitMs(kit, state);
        if (wait > 0 && !options.force) {
          throw new CliError(
            `the rotation started less than ${kit.secretCacheSeconds} s ago: some verifiers may not know the new secret yet`,
            {
              hint: `wait ${Math.ceil(wait / 1000)} s (and until every webhook has the new secret), then run this again`,
            },
          );
        }
        await context.secrets.writeWebhookSecret({
          current: state.current,
          previous: '',
          ...(state.rotatedAt ? { rotatedAt: state.rotatedAt } : {}),
        });
        await recordAdminAction(kit, context, 'finish-rotation', {
          secretId: context.target.webhookSecretId,
          ...(options.force ? { forced: true } : {}),
        });
        kit.note(
          `Rotation finished: only the new secret is accepted (verifiers drop the previous one within ${kit.secretCacheSeconds} s). Deliveries signed with the old secret are refused from then on: see \`events --failed\`.`,
        );
      });
    });
}
