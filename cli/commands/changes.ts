// `changes`: the change events of the hub, oldest first: what the local pipe delivered (local hub), or the changes
// feed (a deployed stack: the records the pipe delivers to EventBridge). `--follow` keeps printing new ones.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { DynamoDbChangeStore } from '../../shared/aws/dynamodb-change-store';
import type {
  ChangeRecord,
  ModelChangedDetail,
  ReplicaDriftDetail,
  RepositorySyncedDetail,
} from '../../shared/domain/changes/change-records';
import { changesSince } from '../../shared/domain/read/changes-since';
import type { CommandKit } from '../command-kit';
import { CliError } from '../errors';
import type { HubContext } from '../hub-context';
import { formatTable, printable, shortCommit } from '../output';

/** The local pipe's file in the data dir (see local/change-event-pipe.ts, which the CLI may not import). */
const CHANGE_EVENTS_FILE = 'change-events.jsonl';

/** One change event as `changes --json` prints it. */
export interface ChangeListing {
  readonly 'detail-type': ChangeRecord['detailType'];
  readonly detail: ChangeRecord['detail'];
}

interface ChangesOptions {
  follow?: boolean;
  json?: boolean;
  limit: number;
}

/** Registers `changes`. */
export function registerChangesCommand(program: Command, kit: CommandKit): void {
  program
    .command('changes')
    .description('change events (Model Changed, Repository Synced, Replica Drift), oldest first; see docs/EVENTS.md')
    .option(
      '--limit <n>',
      'only the last n (without --follow)',
      (value) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
        return n;
      },
      50,
    )
    .option('--follow', 'keep printing new events as they are delivered (Ctrl-C to stop)')
    .option('--json', 'print one JSON array (with --follow: one JSON object a line)')
    .action(async (options: ChangesOptions, command: Command) => {
      await kit.run(command, async (context) => {
        const source = changeSource(context);
        const first = await source.next();
        const shown = options.follow ? first : first.slice(-options.limit);
        if (!options.follow) {
          if (options.json) kit.deps.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
          else kit.deps.stdout.write(shown.length > 0 ? `${formatTable(HEADERS, shown.map(row))}\n` : 'no change events yet\n');
          return;
        }
        for (let batch = shown; ; batch = await source.next()) {
          for (const event of batch) kit.deps.stdout.write(options.json ? `${JSON.stringify(event)}\n` : `${row(event).join('  ')}\n`);
          await kit.sleep(kit.deps.pollIntervalMs ?? 1000);
        }
      });
    });
}

const HEADERS = ['COMMITTED', 'TYPE', 'REPOSITORY', 'CHANGE', 'COMMIT'];

function row(event: ChangeListing): string[] {
  const { detail } = event;
  return [detail.committedAt, event['detail-type'], printable(detail.repository.fullName), printable(what(event)), commitOf(event)];
}

function what(event: ChangeListing): string {
  switch (event['detail-type']) {
    case 'Model Changed': {
      const detail = event.detail as ModelChangedDetail;
      return detail.previousPath ? `renamed ${detail.previousPath} → ${detail.path}` : `${detail.change} ${detail.path}`;
    }
    case 'Repository Synced': {
      const { counts, transport, mode } = event.detail as RepositorySyncedDetail;
      return `synced (${mode}${transport ? `, ${transport}` : ''}): +${counts.added} ~${counts.modified} -${counts.removed} →${counts.renamed}`;
    }
    case 'Replica Drift': {
      const { drift, repaired } = event.detail as ReplicaDriftDetail;
      return `drift: ${drift.count} model(s) differed, ${repaired} repaired`;
    }
  }
}

function commitOf(event: ChangeListing): string {
  const detail = event.detail as Partial<ModelChangedDetail & RepositorySyncedDetail>;
  return shortCommit(detail.commit ?? detail.toCommit) ?? '';
}

/** Where the events come from; each `next()` returns those not returned before. */
function changeSource(context: HubContext): { next(): Promise<ChangeListing[]> } {
  const { target } = context;
  if (target.dataDir) {
    const file = join(target.dataDir, CHANGE_EVENTS_FILE);
    let read = 0;
    return {
      async next() {
        if (!existsSync(file)) return [];
        const lines = readFileSync(file, 'utf8').split('\n');
        // The last line may still be being written: only whole lines count.
        const whole = lines.slice(read, lines.length - 1);
        read += whole.length;
        return whole.flatMap((line) => (line.trim() ? [JSON.parse(line) as ChangeListing] : []));
      },
    };
  }
  if (!target.changesTable)
    throw new CliError(`${target.description} has no changes table`, {
      hint: 'deploy the current version of the stack (`npx cdk deploy`)',
    });
  const feed = new DynamoDbChangeStore({ tableName: target.changesTable, client: target.dynamodb });
  let cursor: string | undefined;
  return {
    async next() {
      const events: ChangeListing[] = [];
      for (;;) {
        const page = await changesSince(cursor, 1000, { feed });
        cursor = page.nextCursor;
        events.push(...page.items.map((item) => ({ 'detail-type': item.detailType, detail: item.detail })));
        if (page.items.length < 1000) return events;
      }
    },
  };
}
