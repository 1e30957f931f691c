// The no-account demo: the whole hub replicating real models in seconds, for a first look.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessTokenSecretName } from '../shared/aws/access-tokens';
import { DynamoDbEventLog } from '../shared/aws/dynamodb-event-log';
import { DynamoDbModelStore } from '../shared/aws/dynamodb-model-store';
import { DynamoDbRepositoryStore } from '../shared/aws/dynamodb-repository-store';
import type { SyncRunEvent } from '../shared/domain/logged-event';
import { DEFAULT_MODEL_PATTERN } from '../shared/models/model-selection';
import { startBitbucketSimulator } from './bitbucket-simulator';
import { printReadApi } from './demo-read-api';
import { startLocalHub, type LocalHub } from './runtime';
import { TOKEN_SECRET_PREFIX, WEBHOOK_SECRET_NAME } from './stand-ins';

/** Where the demo finds real Hackolade models: the repository's fixtures, or the shared reference copy. */
const MODEL_DIRS = [
  join(__dirname, '..', 'test', 'fixtures', 'hackolade-models'),
  join(__dirname, '..', '..', 'shared', 'reference', 'hackolade-models'),
];

/**
 * `npm start -- --demo`: a simulated Bitbucket Cloud repository seeded with real Hackolade models, added to an
 * in-memory hub; two pushes are delivered as signed webhooks and what was replicated is printed. No account,
 * no network, a few seconds.
 */
export async function runDemo(
  print: (line: string) => void,
  settings: Readonly<Record<string, string | undefined>> = process.env,
): Promise<{ models: number }> {
  const modelDir = MODEL_DIRS.find((dir) => existsSync(dir));
  if (!modelDir) throw new Error('no Hackolade models found for the demo (test/fixtures/hackolade-models is missing)');
  const models = readdirSync(modelDir)
    .filter((name) => name.endsWith('.hck.json'))
    .sort();

  // The demo prints its own story; the functions' JSON logs stay available with POWERTOOLS_LOG_LEVEL=INFO.
  const simulator = await startBitbucketSimulator();
  const hub = await startLocalHub({
    bitbucketApiUrl: simulator.apiUrl,
    reconcileEverySeconds: 0,
    environment: { ...settings, POWERTOOLS_LOG_LEVEL: settings.POWERTOOLS_LOG_LEVEL ?? 'WARN' },
  });
  try {
    const env = hub.standIns.env;
    const repositories = new DynamoDbRepositoryStore({ tableName: env.REPOSITORIES_TABLE!, client: hub.standIns.dynamodb });
    const modelStore = new DynamoDbModelStore({ tableName: env.MODELS_TABLE!, client: hub.standIns.dynamodb });
    const events = new DynamoDbEventLog({ tableName: env.EVENTS_TABLE!, client: hub.standIns.dynamodb });
    const secret = (JSON.parse(readSecret(hub, WEBHOOK_SECRET_NAME)) as { current: string }).current;

    print('Model Hub sync: demo (simulated Bitbucket Cloud, local AWS stand-ins)');
    const repo = await simulator.createRepository('acme/data-models');
    const pathOf = (name: string) => `${models.indexOf(name) % 2 === 0 ? 'models' : 'models/archive'}/${name}`;
    const initial = await repo.commit(
      {
        ...Object.fromEntries(models.map((name) => [pathOf(name), readFileSync(join(modelDir, name))])),
        'README.md': '# Data models\n',
        '.hubignore': 'scratch/\n',
        'scratch/draft.hck.json': '{"modelName":"draft, ignored by .hubignore"}',
      },
      { message: 'Add data models' },
    );
    print(
      `1. Bitbucket simulator at ${simulator.apiUrl}: repository ${repo.fullName} with ${models.length} real models (commit ${initial.slice(0, 7)})`,
    );
    print(`2. Hub running: webhook URL ${hub.webhookUrl}`);

    await repositories.addRepository({
      uuid: repo.uuid,
      fullName: repo.fullName,
      modelPattern: DEFAULT_MODEL_PATTERN,
      addedAt: new Date().toISOString(),
    });
    hub.standIns.secrets.putSecret(accessTokenSecretName(TOKEN_SECRET_PREFIX, repo.uuid), repo.token);
    print(`3. Added ${repo.fullName} ${repo.uuid} to the hub; its access token is in the local Secrets Manager`);

    const first = await repo.deliverPush(hub.webhookUrl, secret, { branch: repo.mainBranch, oldHash: null, newHash: initial });
    print(`4. Push of ${initial.slice(0, 7)} delivered: webhook answered ${first.status} ${first.body}`);
    await waitForSyncRun(events, repo.uuid, initial);
    await printModels(print, modelStore, repo.uuid);

    const [renamed, modified, removed] = models.map(pathOf);
    const second = await repo.commit(
      {
        [modified!]: readFileSync(join(modelDir, models[1]!))
          .toString('utf8')
          .replace(/"modelName":\s*"/, '$&Revised '),
        [removed!]: null,
        'models/broken.hck.json': '{"modelName": "half-saved model",',
      },
      { message: 'Revise, rename, remove and break models', renames: [[renamed!, renamed!.replace('models/', 'models/renamed/')]] },
    );
    const delivery = await repo.deliverPush(hub.webhookUrl, secret, { branch: repo.mainBranch, oldHash: initial, newHash: second });
    print(`5. Push of ${second.slice(0, 7)} (modify, rename, delete, add an invalid file) delivered: ${delivery.status} ${delivery.body}`);
    const replay = await repo.deliverPush(hub.webhookUrl, secret, { branch: repo.mainBranch, oldHash: initial, newHash: second });
    print(`   The same delivery replayed: ${replay.status} ${replay.body}`);
    const forged = await repo.deliverPush(hub.webhookUrl, 'not-the-secret', { branch: repo.mainBranch, oldHash: initial, newHash: second });
    print(`   A delivery signed with a wrong secret: ${forged.status} ${forged.body}`);
    await waitForSyncRun(events, repo.uuid, second);
    const stored = await printModels(print, modelStore, repo.uuid);

    print('6. Events log (newest first):');
    for (const event of await events.list({ repositoryUuid: repo.uuid, limit: 10 })) {
      const extra = event.kind === 'sync' ? ` ${JSON.stringify((event as { counts?: unknown }).counts ?? {})}` : '';
      print(`   ${event.at}  ${event.kind.padEnd(8)} ${String(event.outcome).padEnd(10)} ${event.reason ?? ''}${extra}`);
    }
    await printChangeEvents(print, hub, repo.uuid, second);
    await printReadApi(print, hub, repo.uuid);
    print(`Bitbucket API requests served by the simulator: ${simulator.requests.length}`);
    return { models: stored };
  } finally {
    await hub.close();
    await simulator.close();
  }
}

/** The change events of the sync to `commit`, as the local pipe delivered them (what the stack's bus gets). */
async function printChangeEvents(print: (line: string) => void, hub: LocalHub, uuid: string, commit: string): Promise<void> {
  await hub.changeEvents?.drained();
  const events = (hub.changeEvents?.delivered() ?? []).filter((event) => {
    const detail = event.detail as { repository: { uuid: string }; commit?: string; toCommit?: string };
    return detail.repository.uuid === uuid && (detail.commit ?? detail.toCommit) === commit;
  });
  print(`7. Change events of ${commit.slice(0, 7)} (docs/EVENTS.md; \`npm run hub -- changes --follow\` while \`npm start\` runs):`);
  for (const event of events) {
    const detail = event.detail as { change?: string; path?: string; previousPath?: string; modelName?: string; idempotencyKey: string };
    const what = detail.change ? `${detail.change} ${detail.previousPath ? `${detail.previousPath} -> ` : ''}${detail.path}` : 'synced';
    print(`   ${event['detail-type'].padEnd(17)} ${what} ${detail.modelName ? `(${detail.modelName}) ` : ''}key ${detail.idempotencyKey}`);
  }
  const example = events.find((event) => event['detail-type'] === 'Model Changed');
  if (example) print(`   One as delivered: ${JSON.stringify(example)}`);
}

function readSecret(hub: Awaited<ReturnType<typeof startLocalHub>>, name: string): string {
  return hub.standIns.secrets.getSecret(name)!;
}

/**
 * Waits until the worker logged a finished sync run to `commit`. Not the repository's cursor: the worker moves the
 * cursor first and logs the run after it, so a demo that read the events log once the cursor moved could print it
 * without the run (on a busy machine). The log line is the last thing a run writes, so its models are there too.
 */
async function waitForSyncRun(events: DynamoDbEventLog, uuid: string, commit: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const logged = (await events.list({ repositoryUuid: uuid, limit: 10 })) as SyncRunEvent[];
    if (logged.some((event) => event.kind === 'sync' && event.outcome === 'synced' && event.toCommit === commit)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the worker did not sync ${commit.slice(0, 7)} within ${timeoutMs / 1000} s; see the logs above`);
}

async function printModels(print: (line: string) => void, store: DynamoDbModelStore, uuid: string): Promise<number> {
  const records = await store.listModels(uuid);
  print(`   Replicated models (${records.length}):`);
  for (const record of records) {
    const name =
      record.status === 'valid'
        ? `${record.modelName ?? '?'} (${record.dbVendor ?? '?'}, ${record.collections} collections)`
        : `${record.status}: ${record.parseError ?? ''}`;
    print(
      `   - ${record.path.padEnd(58)} ${String(record.size).padStart(7)} B -> ${String(record.storedBytes).padStart(6)} B stored  ${name}`,
    );
  }
  return records.length;
}
