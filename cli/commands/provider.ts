// `provider show | rotate-secret | update-webhooks | finish-rotation`: the webhook URL and the webhook secret's rotation.
import type { Command } from 'commander';
import type { CommandKit } from '../command-kit';
import type { HubContext } from '../../shared/admin/hub-context';
import type { WebhookSecretState } from '../../shared/aws/hub-secrets';
import type { WebhookUpdateJson } from '../../shared/admin/api-types';
import {
  finishRotation,
  providerInfo,
  readSecretOrFail,
  rotateWebhookSecret,
  updateAllWebhooks,
  webhookUpdateProblem,
} from '../../shared/admin/provider';
import { formatTable, printJson } from '../output';

/** Sets the current secret on every hub webhook, first sleeping out the verifiers' secret cache (with a note). */
function updateWebhooks(
  kit: CommandKit,
  context: HubContext,
  state: WebhookSecretState,
  skipCacheWait: boolean,
): Promise<WebhookUpdateJson[]> {
  return updateAllWebhooks(kit, context, state, {
    skipCacheWait,
    waitOut: async (wait) => {
      kit.note(
        `Waiting ${Math.ceil(wait / 1000)} s until every verifier has re-read the secret (they cache it ${kit.secretCacheSeconds} s); until then a delivery signed with the new secret could be refused. Interrupting is safe: run \`provider update-webhooks\` later.`,
      );
      await kit.sleep(wait);
    },
  });
}

function failIfAnyFailed(updates: readonly WebhookUpdateJson[]): void {
  const problem = webhookUpdateProblem(updates);
  if (problem) throw problem;
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
        const { info, state } = await providerInfo(context);
        const rotating = info.rotation.inProgress;
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
        const next = await rotateWebhookSecret(kit, context);
        const rotatedAt = next.rotatedAt;
        if (!options.json) {
          // The one place the CLI prints a secret: hand-made webhooks need it, and it cannot be shown again.
          kit.out(next.current);
          kit.note(
            `New webhook secret above (shown once). Both it and the previous one are accepted until \`provider finish-rotation\`; verifiers pick it up within ${kit.secretCacheSeconds} s.`,
          );
        }
        const updates = options.updateWebhooks ? await updateWebhooks(kit, context, next, options.skipCacheWait === true) : undefined;
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
        const updates = await updateWebhooks(kit, context, await readSecretOrFail(context), options.skipCacheWait === true);
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
        await finishRotation(kit, context, options);
      });
    });
}
