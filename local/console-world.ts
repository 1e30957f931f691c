// A local hub and a simulated Bitbucket workspace for the console's browser tests and its screenshots: the same
// starting point every time (workspace acme with real Hackolade models, a workspace access token), no account.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from './bitbucket-simulator';
import { startLocalHub, type LocalHub } from './runtime';

const MODEL_DIR = join(__dirname, '..', 'test', 'fixtures', 'hackolade-models');
/** The smaller real models (the large one would only slow the tests down). */
const MODELS = ['medium-dynamodb-book.hck.json', 'medium-polyglot-animal-shelter-ldm.hck.json', 'small-neo4j-bill-of-materials.hck.json'];

export interface ConsoleWorld {
  readonly simulator: BitbucketSimulator;
  readonly hub: LocalHub;
  /** acme/data-models (3 models, in models/ and models/archive/), acme/billing-models (1), acme/website (none). */
  readonly repositories: {
    readonly dataModels: SimulatedRepository;
    readonly billingModels: SimulatedRepository;
    readonly website: SimulatedRepository;
  };
  /** Reads (and lists) every repository of acme, with the webhook scope. */
  readonly workspaceToken: string;
  readonly dataDir: string;
  /** Pushes a revision of a model of acme/data-models, delivered to its registered webhooks; resolves to the commit. */
  push(revision: number): Promise<string>;
  close(): Promise<void>;
}

const modelBytes = (name: string) => readFileSync(join(MODEL_DIR, name));

/** Starts the simulator with workspace acme, and a local hub (its own data dir) reading Bitbucket from it. */
export async function startConsoleWorld(
  options: { port?: number; environment?: Readonly<Record<string, string | undefined>> } = {},
): Promise<ConsoleWorld> {
  const simulator = await startBitbucketSimulator();
  const dataDir = mkdtempSync(join(tmpdir(), 'model-hub-console-'));
  try {
    const dataModels = await simulator.createRepository('acme/data-models');
    await dataModels.commit(
      {
        [`models/${MODELS[0]}`]: modelBytes(MODELS[0]!),
        [`models/${MODELS[1]}`]: modelBytes(MODELS[1]!),
        [`models/archive/${MODELS[2]}`]: modelBytes(MODELS[2]!),
        'README.md': '# Data models\n',
      },
      { message: 'Add data models' },
    );
    const billingModels = await simulator.createRepository('acme/billing-models');
    await billingModels.commit(
      { 'billing.hck.json': modelBytes(MODELS[2]!), 'README.md': '# Billing models\n' },
      { message: 'Add the billing model' },
    );
    const website = await simulator.createRepository('acme/website');
    await website.commit({ 'index.html': '<h1>acme</h1>\n' }, { message: 'Add the home page' });
    const workspaceToken = simulator.createWorkspaceToken('acme').token;

    const hub = await startLocalHub({
      dataDir,
      port: options.port ?? 0,
      bitbucketApiUrl: simulator.apiUrl,
      reconcileEverySeconds: 0,
      verifyEverySeconds: 0,
      environment: { ...(options.environment ?? process.env), POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    return {
      simulator,
      hub,
      repositories: { dataModels, billingModels, website },
      workspaceToken,
      dataDir,
      push: (revision) =>
        dataModels.commit(
          {
            [`models/${MODELS[0]}`]: modelBytes(MODELS[0]!)
              .toString('utf8')
              .replace(/"modelName":\s*"/, `$&Revision ${revision} of `),
          },
          { message: `Revise ${MODELS[0]}` },
        ),
      async close() {
        await hub.close();
        await simulator.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await simulator.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The one-time URL that opens the console on the world's hub (a new token once the last was used). */
export function consoleLoginUrl(world: ConsoleWorld): string {
  return world.hub.consoleLoginUrl();
}
