// `repo show <workspace/slug>`: everything about one added repository in one place (configuration, stored token
// and who shares it, the hub webhook as Bitbucket has it now, sync state, last runs, models), so an operator need
// not piece it together from five commands and the Bitbucket UI.
import type { Command } from 'commander';
import { repositoryDetails, type RepositoryDetails } from '../../shared/admin/repository-details';
import type { CommandKit } from '../command-kit';
import { formatTable, printJson } from '../output';
import { shortCommit } from '../../shared/admin/sync-progress';

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
