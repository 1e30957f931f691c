// `models list | get | search`: the replicated models of the hub, as stored in DynamoDB.
import type { Command } from 'commander';
import { ModelBodyInconsistentError, ModelBodyNotStoredError } from '../../shared/domain/sync/errors';
import type { ModelRecord } from '../../shared/models/model-record';
import type { CommandKit } from '../command-kit';
import { AdminError, usageError } from '../../shared/admin/errors';
import { parseRepositoryName } from '../../shared/admin/repository-name';
import { formatTable, printJson } from '../output';
import { shortCommit } from '../../shared/admin/sync-progress';

/** One line of `models list --json`. */
export interface ModelListing {
  path: string;
  commit: string;
  size: number;
  sha256: string | null;
  modelName: string | null;
  dbVendor: string | null;
  /** valid, invalid (kept byte-exact, not JSON), too-large (no body kept). */
  status: string;
  syncedAt: string;
  entities: number;
}

/** One line of `models search --json`. */
export interface ModelMatch {
  repository: string;
  path: string;
  modelName: string | null;
  dbVendor: string | null;
  /** What matched: `modelName`, `dbVendor`, `path` or `entity`, with the matching value. */
  matches: Array<{ field: string; value: string }>;
}

function toListing(record: ModelRecord): ModelListing {
  return {
    path: record.path,
    commit: record.commit,
    size: record.size,
    sha256: record.sha256 ?? null,
    modelName: record.modelName ?? null,
    dbVendor: record.dbVendor ?? null,
    status: record.status,
    syncedAt: record.syncedAt,
    entities: record.collections ?? 0,
  };
}

/** Registers `models list | get | search`. */
export function registerModelsCommands(program: Command, kit: CommandKit): void {
  const models = program.command('models').description('read the replicated models');

  models
    .command('list')
    .description("list a repository's replicated models")
    .argument('<workspace/slug>', 'an added repository')
    .option('--json', 'print one JSON array')
    .action(async (fullName: string, options: { json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const repository = await context.findRepository(fullName);
        const listings = (await context.models.listModels(repository.uuid)).map(toListing);
        if (options.json) return printJson(kit.deps.stdout, listings);
        if (listings.length === 0) {
          kit.note(`${repository.fullName} has no replicated models yet; see \`repo list\` for its sync status.`);
          return;
        }
        kit.deps.stdout.write(
          formatTable(
            // As the README lists them: path, commit, size, SHA-256 (its first 12 digits), name, vendor; and status.
            ['path', 'commit', 'size', 'sha-256', 'model', 'vendor', 'status'],
            listings.map((m) => [m.path, shortCommit(m.commit), m.size, m.sha256?.slice(0, 12), m.modelName, m.dbVendor, m.status]),
          ),
        );
      });
    });

  models
    .command('get')
    .description("write a model's exact original bytes to standard output")
    .argument('<workspace/slug>', 'an added repository')
    .argument('<path>', 'path of the model in the repository, as `models list` shows it')
    .action(async (fullName: string, path: string, _options: unknown, command: Command) => {
      await kit.run(command, async (context) => {
        const repository = await context.findRepository(fullName);
        let model;
        try {
          model = await context.models.getModel(repository.uuid, path.replace(/^\/+/, ''));
        } catch (error) {
          if (error instanceof ModelBodyNotStoredError) {
            throw new AdminError(
              `${path} in ${repository.fullName} is ${error.record.size} bytes, over the hub's size limit: only its record is kept, not its content`,
              { hint: 'read it from Bitbucket' },
            );
          }
          if (error instanceof ModelBodyInconsistentError) {
            throw new AdminError(
              `the stored body of ${path} in ${repository.fullName} does not match its record (damaged or edited in the table)`,
              {
                hint: `\`sync ${repository.fullName} --verify\` rewrites it from Bitbucket`,
              },
            );
          }
          if (error instanceof RangeError) throw usageError(error.message);
          throw error;
        }
        if (!model)
          throw new AdminError(`${repository.fullName} has no replicated model at ${path}`, {
            hint: `see \`models list ${repository.fullName}\` for the paths`,
          });
        kit.deps.stdout.write(model.body);
      });
    });

  models
    .command('search')
    .description('find models by model name, vendor, path or entity name (case-insensitive)')
    .argument('<text>', 'text to look for')
    .option('--repo <workspace/slug>', 'only this repository')
    .option('--json', 'print one JSON array')
    .action(async (text: string, options: { repo?: string; json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        if (text.trim() === '') throw usageError('the search text is empty');
        if (options.repo) parseRepositoryName(options.repo);
        const needle = text.trim().toLowerCase();
        const repositories = options.repo ? [await context.findRepository(options.repo)] : await context.repositories.listRepositories();
        const found: ModelMatch[] = [];
        for (const repository of repositories) {
          for (const record of await context.models.listModels(repository.uuid)) {
            const candidates: Array<{ field: string; value: string }> = [
              ...(record.modelName ? [{ field: 'modelName', value: record.modelName }] : []),
              ...(record.dbVendor ? [{ field: 'dbVendor', value: record.dbVendor }] : []),
              { field: 'path', value: record.path },
              ...(record.entityNames ?? []).map((value) => ({ field: 'entity', value })),
            ];
            const matches = candidates.filter((candidate) => candidate.value.toLowerCase().includes(needle));
            if (matches.length > 0)
              found.push({
                repository: repository.fullName,
                path: record.path,
                modelName: record.modelName ?? null,
                dbVendor: record.dbVendor ?? null,
                matches,
              });
          }
        }
        if (options.json) return printJson(kit.deps.stdout, found);
        if (found.length === 0) {
          kit.note(`No model matches "${text}" (models synced before entity names were recorded match on entities after \`sync --full\`).`);
          return;
        }
        kit.deps.stdout.write(
          formatTable(
            ['repository', 'path', 'model', 'vendor', 'matched'],
            found.map((m) => [
              m.repository,
              m.path,
              m.modelName,
              m.dbVendor,
              m.matches.map((match) => (match.field === 'entity' ? `entity ${match.value}` : match.field)).join(', '),
            ]),
          ),
        );
      });
    });
}
