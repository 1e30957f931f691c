/**
 * `npm start`: the whole pipeline on this machine (verifier behind a local HTTP API, the queue, the worker) on
 * embedded stand-ins for DynamoDB, SQS and Secrets Manager. `npm start -- --demo` adds a simulated Bitbucket Cloud.
 * Configuration: PORT, MODEL_HUB_DATA_DIR, MODEL_HUB_WEBHOOK_SECRET(_PREVIOUS), BITBUCKET_API_URL.
 */
import { resolve } from 'node:path';
import { explainStartError, parseStartArgs, START_USAGE, StartUsageError } from '../local/start-args';

const port = Number(process.env.PORT ?? 3000);

async function main(): Promise<void> {
  const { demo, help } = parseStartArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(START_USAGE);
    return;
  }
  const dataDir = resolve(process.env.MODEL_HUB_DATA_DIR ?? '.model-hub');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startLocalHub } = require('../local/runtime') as typeof import('../local/runtime');
  if (demo) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runDemo } = require('../local/demo') as typeof import('../local/demo');
    await runDemo((line) => process.stdout.write(`${line}\n`));
    return;
  }
  const hub = await startLocalHub({
    dataDir,
    port,
    webhookSecret: process.env.MODEL_HUB_WEBHOOK_SECRET,
    previousWebhookSecret: process.env.MODEL_HUB_WEBHOOK_SECRET_PREVIOUS,
    bitbucketApiUrl: process.env.BITBUCKET_API_URL,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping (queued messages and data are kept in ${dataDir})...\n`);
    await hub.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  process.stdout.write(
    [
      'Model Hub sync is running locally.',
      `  Webhook URL:   ${hub.webhookUrl}`,
      `  Read API:      ${hub.readApiUrl} (SigV4, service execute-api, keys in ${dataDir}/credentials.json; docs/CONSUMERS.md)`,
      `  Data dir:      ${dataDir}`,
      `  Bitbucket API: ${hub.environment.BITBUCKET_API_URL}`,
      '  Worker:        polling the local queue; reconciliation every 15 minutes, verification daily',
      hub.generatedSecret
        ? `  A webhook secret was generated and stored in ${dataDir}/secrets.json (key "current"); set MODEL_HUB_WEBHOOK_SECRET to choose your own.`
        : '  Webhook secret: from MODEL_HUB_WEBHOOK_SECRET or the data dir.',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  if (error instanceof StartUsageError) {
    process.stderr.write(`model-hub: ${error.message}\n\n${START_USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`model-hub: ${explainStartError(error, port)}\n`);
  process.exit(1);
});
