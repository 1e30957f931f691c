// The app cdk.json runs: builds the admin console when dist/console is missing or older than its sources (the stack
// deploys that folder), then runs the CDK app. infra/ never imports bin/, so the build step lives here.
import { ensureConsoleBuilt } from './build-console';

ensureConsoleBuilt()
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app runs on load, so only once the console is built
  .then(() => require('../infra/app'))
  .catch((error: unknown) => {
    process.stderr.write(`cdk app: ${(error as Error).message}\n`);
    process.exit(1);
  });
