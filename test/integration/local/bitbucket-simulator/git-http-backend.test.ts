import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { GIT_AUTH_REALM, parseGitRequestPath, publishRefs } from '../../../../local/bitbucket-simulator/git-http-backend';
import { createBareRepository, git, startGitServer, type GitServer } from '../../../../local/git-server';
import { generateRegisteredSecret } from '../../../support/secret-hygiene';

const token = generateRegisteredSecret();
const basic = (secret: string) => `Basic ${Buffer.from(`x-token-auth:${secret}`).toString('base64')}`;
let root: string;
let commit: string;
let server: GitServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'git-http-backend-test-'));
  commit = createBareRepository(root, 'models', {
    files: new Map([
      ['a.hck.json', Buffer.from('{"a":1}')],
      ['d/b.hck.json', Buffer.from('{"b":2}')],
    ]),
  });
  server = await startGitServer(root, token);
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** pkt-line framing of git's wire protocol. */
const pkt = (line: string) => `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;

describe('git http-backend adapter', () => {
  test('the real git client clones through it with x-token-auth', async () => {
    const target = join(root, 'clone');
    await promisify(execFile)(
      'git',
      ['-c', `http.extraHeader=Authorization: ${basic(token)}`, 'clone', '-q', '--depth', '1', `${server.url}/acme/models.git`, target],
      {
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' },
      },
    );
    expect(git(target, ['rev-parse', 'HEAD']).toString('utf8').trim()).toBe(commit);
    expect(git(target, ['show', 'HEAD:d/b.hck.json']).toString('utf8')).toBe('{"b":2}');
  });

  test('answers the ref advertisement with the CGI status and content type', async () => {
    const response = await request(`${server.url}/acme/models.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: basic(token) },
    });
    const body = await response.body.text();
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-git-upload-pack-advertisement');
    expect(body).toContain(`${commit} refs/heads/main`);
  });

  test('refuses a wrong token or another user name with Bitbucket’s Basic challenge', async () => {
    for (const authorization of [
      basic(generateRegisteredSecret()),
      `Basic ${Buffer.from(`someone:${token}`).toString('base64')}`,
      `Bearer ${token}`,
      undefined,
    ]) {
      const response = await request(`${server.url}/acme/models.git/info/refs?service=git-upload-pack`, {
        headers: authorization ? { authorization } : {},
      });
      await response.body.dump();
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe(`Basic realm="${GIT_AUTH_REALM}"`);
    }
  });

  test('serves a gzip-encoded upload-pack request (git compresses large ones)', async () => {
    const wants = `${pkt(`want ${commit} ofs-delta\n`)}0000${pkt('done\n')}`;
    const response = await request(`${server.url}/acme/models.git/git-upload-pack`, {
      method: 'POST',
      headers: { authorization: basic(token), 'content-type': 'application/x-git-upload-pack-request', 'content-encoding': 'gzip' },
      body: gzipSync(Buffer.from(wants)),
    });
    const body = Buffer.from(await response.body.arrayBuffer());
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-git-upload-pack-result');
    expect(body.includes(Buffer.from('PACK'))).toBe(true);
  });

  test('does not serve pushes or dumb-HTTP paths', () => {
    expect(parseGitRequestPath('/acme/models.git/git-receive-pack')).toBeUndefined();
    expect(parseGitRequestPath('/acme/models.git/HEAD')).toBeUndefined();
    expect(parseGitRequestPath('/acme/models.git/objects/info/packs')).toBeUndefined();
    expect(parseGitRequestPath('/acme/models/info/refs')).toEqual({ workspace: 'acme', slug: 'models', gitPath: '/info/refs' });
  });

  test('a missing repository is a 404 from git itself', async () => {
    const response = await request(`${server.url}/acme/absent.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: basic(token) },
    });
    await response.body.dump();
    expect(response.statusCode).toBe(404);
  });

  test('publishRefs writes in-memory branch heads as refs and points HEAD at the main branch', async () => {
    const gitDir = join(root, 'models.git');
    git(gitDir, ['update-ref', 'refs/heads/stale', commit]);
    await publishRefs(gitDir, new Map([['trunk', commit]]), 'trunk');
    expect(git(gitDir, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/']).toString('utf8').trim()).toBe(
      `refs/heads/trunk ${commit}`,
    );
    expect(git(gitDir, ['symbolic-ref', 'HEAD']).toString('utf8').trim()).toBe('refs/heads/trunk');
  });

  test('publishRefs writes tags too, one named like a branch included, and deletes tags no longer kept', async () => {
    const gitDir = join(root, 'models.git');
    git(gitDir, ['update-ref', 'refs/tags/stale', commit]);
    await publishRefs(gitDir, new Map([['trunk', commit]]), 'trunk', new Map([['trunk', commit]]));
    expect(git(gitDir, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/', 'refs/tags/']).toString('utf8').trim()).toBe(
      `refs/heads/trunk ${commit}\nrefs/tags/trunk ${commit}`,
    );
    await publishRefs(gitDir, new Map([['trunk', commit]]), 'trunk');
    expect(git(gitDir, ['for-each-ref', '--format=%(refname)', 'refs/tags/']).toString('utf8').trim()).toBe('');
  });
});
