/**
 * `npx tsx local/bitbucket-simulator/serve.ts`: a Bitbucket Cloud simulator to try the admin CLI without an
 * account. Serves workspace `acme`: `acme/data-models`, seeded with real Hackolade models, and two more
 * repositories (`acme/billing-models`, `acme/website`), on a fixed port; prints the repository access token of
 * `acme/data-models` and a workspace access token covering all three; each Enter pushes a change to a model of
 * `acme/data-models`, which the simulator delivers to the webhooks registered through the API
 * (`repo add --create-webhook`), as Bitbucket would.
 * Configuration: SIMULATOR_PORT (default 7990), SIMULATOR_TOKEN and SIMULATOR_WORKSPACE_TOKEN (default: random).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startBitbucketSimulator } from './bitbucket-simulator';

const MODEL_DIRS = [
  join(__dirname, '..', '..', 'test', 'fixtures', 'hackolade-models'),
  join(__dirname, '..', '..', '..', 'shared', 'reference', 'hackolade-models'),
];

async function main(): Promise<void> {
  const port = Number(process.env.SIMULATOR_PORT ?? 7990);
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw new Error(`SIMULATOR_PORT must be a port number, got ${process.env.SIMULATOR_PORT}`);
  const modelDir = MODEL_DIRS.find((dir) => existsSync(dir));
  if (!modelDir) throw new Error('no Hackolade models found (test/fixtures/hackolade-models is missing)');
  const names = readdirSync(modelDir)
    .filter((name) => name.endsWith('.hck.json'))
    .sort();

  const simulator = await startBitbucketSimulator({ port });
  const repo = await simulator.createRepository(
    'acme/data-models',
    process.env.SIMULATOR_TOKEN ? { token: process.env.SIMULATOR_TOKEN } : {},
  );
  const head = await repo.commit(
    { ...Object.fromEntries(names.map((name) => [`models/${name}`, readFileSync(join(modelDir, name))])), 'README.md': '# Data models\n' },
    { message: 'Add data models' },
  );

  // More repositories of the workspace, to pick from with a workspace access token (`repo add acme`).
  const billing = await simulator.createRepository('acme/billing-models');
  await billing.commit(
    { 'billing.hck.json': readFileSync(join(modelDir, names[0]!)), 'README.md': '# Billing models\n' },
    { message: 'Add the billing model' },
  );
  const website = await simulator.createRepository('acme/website');
  await website.commit({ 'index.html': '<h1>acme</h1>\n' }, { message: 'Add the home page' });
  const workspaceToken = simulator.createWorkspaceToken(
    'acme',
    process.env.SIMULATOR_WORKSPACE_TOKEN ? { token: process.env.SIMULATOR_WORKSPACE_TOKEN } : {},
  );

  process.stdout.write(
    [
      'Bitbucket Cloud simulator',
      `  API URL:      ${simulator.apiUrl}   (start the hub with BITBUCKET_API_URL=${simulator.apiUrl})`,
      `  Repository:   ${repo.fullName} ${repo.uuid}, branch ${repo.mainBranch} at ${head.slice(0, 7)}, ${names.length} models`,
      `  Access token: ${repo.token}   (repository access token of ${repo.fullName}; scopes: repository, webhook)`,
      `  Workspace:    acme, also ${billing.fullName} (1 model) and ${website.fullName} (no models)`,
      `  Workspace access token: ${workspaceToken.token}   (reads every repository of acme; scopes: repository, webhook)`,
      'Press Enter to push a change to a model (delivered to the registered webhooks); Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  let pushes = 0;
  const lines = createInterface({ input: process.stdin });
  lines.on('line', () => {
    pushes += 1;
    const name = names[(pushes - 1) % names.length]!;
    const path = `models/${name}`;
    const text = readFileSync(join(modelDir, name), 'utf8').replace(/"modelName":\s*"/, `$&Revision ${pushes} of `);
    void repo.commit({ [path]: text }, { message: `Revise ${name}` }).then(
      (commit) => {
        const deliveries = repo.deliveries.filter((delivery) => delivery.commit === commit);
        const outcome =
          deliveries.length === 0
            ? 'no webhook registered yet'
            : deliveries
                .map((delivery) => `${delivery.url} answered ${delivery.status || 'nothing (unreachable)'} ${delivery.body}`)
                .join('; ');
        process.stdout.write(`Pushed ${commit.slice(0, 7)} (modelName of ${path} changed): ${outcome}\n`);
      },
      (error: unknown) => process.stderr.write(`push failed: ${(error as Error).message}\n`),
    );
  });

  const stop = () => {
    lines.close();
    void simulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`bitbucket-simulator: ${(error as Error).message}\n`);
  process.exit(1);
});
