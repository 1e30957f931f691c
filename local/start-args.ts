// `npm start`'s command line: the one flag it takes, its usage text, and start-up failures said in the words of its
// settings (PORT=, MODEL_HUB_DATA_DIR=), so a typo or a busy port does not end in a stack trace or a silent start.

/** What `npm start -- --help` prints. */
export const START_USAGE = [
  'Usage: npm start [-- --demo | --help]',
  '',
  'Runs the whole pipeline on this machine (verifier, queue, worker) on embedded stand-ins for DynamoDB, SQS and',
  'Secrets Manager; administer it with `npm run hub -- <command>` in another terminal.',
  '',
  'Options:',
  '  --demo   a walk-through against a simulated Bitbucket Cloud, then exit',
  '  --help   print this text',
  '',
  'Environment:',
  '  PORT                               port of the webhook URL (default 3000; 0: any free port)',
  '  MODEL_HUB_DATA_DIR                 where the hub keeps its data (default .model-hub)',
  '  MODEL_HUB_WEBHOOK_SECRET           the webhook secret (default: generated and kept in the data dir)',
  '  MODEL_HUB_WEBHOOK_SECRET_PREVIOUS  a previous secret, still accepted during a rotation',
  '  BITBUCKET_API_URL                  Bitbucket API root (default https://api.bitbucket.org/2.0)',
  '',
].join('\n');

/** A command line `npm start` does not take (exit code 2). */
export class StartUsageError extends Error {}

/** The options of `npm start -- …`; anything else is refused, so a mistyped flag is not silently ignored. */
export function parseStartArgs(args: readonly string[]): { demo: boolean; help: boolean } {
  const unknown = args.filter((arg) => !['--demo', '--help', '-h'].includes(arg));
  if (unknown.length > 0) throw new StartUsageError(`unknown option ${unknown.map((arg) => JSON.stringify(arg)).join(', ')}`);
  return { demo: args.includes('--demo'), help: args.includes('--help') || args.includes('-h') };
}

/** A failure to start, with what to change: a busy port names PORT=. */
export function explainStartError(error: unknown, port: number): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'EADDRINUSE')
    return `port ${port} is in use by another program (or another hub): choose another with PORT=, e.g. \`PORT=${port === 3000 ? 3001 : port + 1} npm start\`, or PORT=0 for any free port`;
  if (code === 'EACCES')
    return `port ${port} needs privileges to listen on: choose one above 1023 with PORT=, e.g. \`PORT=3000 npm start\``;
  return (error as Error).message ?? String(error);
}
