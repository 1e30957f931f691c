import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_ROUTES } from '../../../../shared/admin/api/routes';
import type { ErrorBody, SessionResponse } from '../../../../shared/admin/api-types';
import { LOGIN_TOKEN_FILE } from '../../../../shared/config/console-login-file';
import { startCliTestBed, type CliTestBed } from '../../cli/cli-harness';
import { AdminClient } from './admin-client';

const STATE_CHANGING = ADMIN_ROUTES.filter((route) => route.method !== 'GET');
const pathOf = (route: (typeof ADMIN_ROUTES)[number]) =>
  route.path.replace('{uuid}', '%7B6f1e0b8e-3a5d-4c1b-9a7e-2f0c1d2e3f40%7D').replace('{requestUuid}', 'r-1');

describe('local admin console: login, sessions, CSRF and headers (npm start)', () => {
  let bed: CliTestBed;
  let consoleDir: string;
  let admin: AdminClient;
  let stranger: AdminClient;

  beforeAll(async () => {
    consoleDir = mkdtempSync(join(tmpdir(), 'model-hub-console-'));
    bed = await startCliTestBed({ consoleDir, worker: false });
    const baseUrl = bed.hub.webhookUrl.replace(/\/gateway\/.*$/, '');
    admin = new AdminClient(baseUrl);
    stranger = new AdminClient(baseUrl);
  });
  afterAll(async () => {
    await bed.close();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  it('prints a login URL whose token is stored 0600 in the data dir, and works once', async () => {
    const loginUrl = bed.hub.consoleLoginUrl();
    const file = join(bed.dataDir, LOGIN_TOKEN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    expect((await stranger.login(loginUrl.replace(/token=.*/, 'token=wrong'))).status).toBe(401);
    const first = await admin.login(loginUrl);
    const again = await stranger.login(loginUrl);

    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/console/');
    expect(first.headers['set-cookie']).toMatch(/^model_hub_session=[\w-]{40,}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    expect(again.status).toBe(401);
    expect(again.text).toContain('npm run hub -- console-login');
    expect(existsSync(file)).toBe(false);
    const session = (await admin.api('GET', 'session')).json<SessionResponse>();
    expect(session).toEqual({
      user: expect.stringMatching(/^local user /),
      via: 'local',
      csrfToken: admin.csrfToken,
      expiresAt: expect.any(String),
      hub: { kind: 'local', description: expect.stringContaining(bed.dataDir) },
    });
    // A new token for the next start, different from the used one.
    expect(bed.hub.consoleLoginUrl()).not.toBe(loginUrl);
  });

  it.each(ADMIN_ROUTES.map((route) => ({ method: route.method, path: pathOf(route) })))(
    '$method $path answers 401 without a session',
    async ({ method, path }) => {
      const answer = await stranger.api(method, path, { body: method === 'GET' ? undefined : {}, csrf: null });

      expect(answer.status).toBe(401);
      expect(answer.json<ErrorBody>().error).toEqual({
        message: 'not signed in to the local console (no session, or it expired)',
        hint: 'open the login URL `npm start` printed, or get a new one with `npm run hub -- console-login`',
        code: 'unauthenticated',
      });
    },
  );

  it('answers 401 to a forged session cookie', async () => {
    expect((await stranger.api('GET', 'dashboard', { cookie: 'model_hub_session=forged' })).status).toBe(401);
  });

  it.each(STATE_CHANGING.map((route) => ({ method: route.method, path: pathOf(route) })))(
    '$method $path answers 403 without the CSRF token, with a wrong one, or from another origin',
    async ({ method, path }) => {
      const without = await admin.api(method, path, { body: {}, csrf: null });
      const wrong = await admin.api(method, path, { body: {}, csrf: 'not-the-token' });
      const crossOrigin = await admin.api(method, path, { body: {}, origin: 'http://evil.example' });
      const noOrigin = await admin.api(method, path, { body: {}, origin: null });
      const crossSite = await admin.api(method, path, { body: {}, origin: null, headers: { 'sec-fetch-site': 'cross-site' } });

      for (const answer of [without, wrong, crossOrigin, noOrigin, crossSite]) {
        expect(answer.status).toBe(403);
        expect(answer.json<ErrorBody>().error.code).toBe('forbidden');
      }
      expect(without.json<ErrorBody>().error.hint).toBe('send the csrfToken of GET /gateway/admin/v1/session in the X-CSRF-Token header');
    },
  );

  it('accepts a state-changing call with the CSRF token from the same origin (Origin or Sec-Fetch-Site)', async () => {
    const byOrigin = await admin.api('POST', 'dlq/redrive', { body: {} });
    const bySite = await admin.api('POST', 'dlq/redrive', { body: {}, origin: null, headers: { 'sec-fetch-site': 'same-origin' } });

    expect(byOrigin.status).toBe(200);
    expect(bySite.status).toBe(200);
    expect(byOrigin.json()).toEqual({ moved: 0, redriven: [], messages: ['Nothing to redrive.'] });
  });

  it('refuses a request for another host name (DNS rebinding)', async () => {
    const answer = await admin.api('GET', 'dashboard', { headers: { host: 'evil.example:80' } });
    const page = await admin.send('GET', '/console/', { headers: { host: 'evil.example' } });

    expect(answer.status).toBe(403);
    expect(page.status).toBe(403);
  });

  it('serves a page saying how to build the console when it is not built, with the strict headers', async () => {
    const answer = await admin.send('GET', '/console/');

    expect(answer.status).toBe(503);
    expect(answer.text).toContain('npm run build:console');
    expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
    expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(answer.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves the built console: files, the app for its own routes, nothing outside its folder', async () => {
    writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><script src="/console/app.js"></script>');
    mkdirSync(join(consoleDir, 'assets'), { recursive: true });
    writeFileSync(join(consoleDir, 'assets', 'app.js'), 'console.log(1);');
    writeFileSync(join(consoleDir, '..', 'outside.txt'), 'secret-ish');

    const index = await admin.send('GET', '/console/');
    const script = await admin.send('GET', '/console/assets/app.js');
    const route = await admin.send('GET', '/console/repositories/abc');
    const redirect = await admin.send('GET', '/console');
    const escape = await admin.send('GET', '/console/..%2foutside.txt');
    const missing = await admin.send('GET', '/console/assets/missing.js');

    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(script.text).toBe('console.log(1);');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(route.text).toBe(index.text);
    expect(redirect.status).toBe(308);
    expect(escape.status).toBe(404);
    expect(escape.text).not.toContain('secret-ish');
    expect(missing.status).toBe(404);
    rmSync(join(consoleDir, '..', 'outside.txt'), { force: true });
  });

  it('`console-login` hands out a new one-time URL without a restart; the unused one stops working', async () => {
    const unused = bed.hub.consoleLoginUrl();
    const run = await bed.cli(['console-login']);
    const fresh = run.stdout.trim();

    expect(run.code).toBe(0);
    expect(fresh).toMatch(new RegExp(`^${admin.baseUrl}/console/login\\?token=[\\w-]{40,}$`));
    expect(fresh).not.toBe(unused);
    expect((await new AdminClient(admin.baseUrl).login(unused)).status).toBe(401);
    expect((await new AdminClient(admin.baseUrl).login(fresh)).status).toBe(303);
    expect((await bed.cli(['console-login', '--stack', 'ModelHubSync'])).code).toBe(2);
  });

  it('logging out ends the session', async () => {
    const other = new AdminClient(admin.baseUrl);
    await other.login(bed.hub.consoleLoginUrl());

    expect((await other.api('POST', 'session/logout', { body: {} })).status).toBe(204);
    expect((await other.api('GET', 'session')).status).toBe(401);
    expect((await admin.api('GET', 'session')).status).toBe(200);
  });
});
