/**
 * Puts `process.env` back after every test and every test file, so a setting one test needs cannot leak into the
 * next. Tests give the functions their settings through deps (`createWorkerDeps(env)`, `startLocalHub({ environment })`).
 */
const snapshots: NodeJS.ProcessEnv[] = [];

function restore(snapshot: NodeJS.ProcessEnv | undefined): void {
  if (!snapshot) return;
  for (const name of Object.keys(process.env)) if (!(name in snapshot)) delete process.env[name];
  Object.assign(process.env, snapshot);
}

beforeAll(() => {
  snapshots.push({ ...process.env });
});
afterAll(() => restore(snapshots.pop()));
beforeEach(() => {
  snapshots.push({ ...process.env });
});
afterEach(() => restore(snapshots.pop()));
