/**
 * The client against Bitbucket Cloud's own answers: the recorded responses of test/fixtures/bitbucket-cloud-api-captures
 * (see its SOURCES.md), served unchanged by a tiny local HTTP server, with what the client makes of each.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BitbucketClient } from '../../../../shared/bitbucket/bitbucket-client';
import { BitbucketAuthError, BitbucketNotFoundError } from '../../../../shared/bitbucket/errors';

const CAPTURES = join(__dirname, '../../../fixtures/bitbucket-cloud-api-captures');
const RECORDED_API = 'https://api.bitbucket.org/2.0';
const recorded = (file: string) => readFileSync(join(CAPTURES, file), 'utf8');
const parsed = (file: string) => JSON.parse(recorded(file)) as Record<string, unknown>;

/** Answers by request path: a recorded file (links into the recorded API pointed at this server) and a status. */
type Routes = Array<{ match: RegExp; file?: string; body?: string; status?: number }>;

let server: Server;
let apiUrl: string;
let routes: Routes = [];
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const route = routes.find((candidate) => candidate.match.test(req.url ?? ''));
    const body = route?.file
      ? recorded(route.file).split(RECORDED_API).join(apiUrl)
      : (route?.body ?? '{"type":"error","error":{"message":"Resource not found"}}');
    res.writeHead(route ? (route.status ?? 200) : 404, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/2.0`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests.length = 0;
});

const client = () =>
  new BitbucketClient({ baseUrl: apiUrl, token: randomBytes(16).toString('hex'), maxAttempts: 1, sleep: async () => undefined });

describe('the client reads recorded Bitbucket Cloud answers', () => {
  it('a repository: its uuid, full name and a default branch that is not main', async () => {
    for (const file of ['repository__jenkins-bbs.json', 'repository-mainbranch-niam__woodpecker.json']) {
      routes = [{ match: /^\/2\.0\/repositories\/[^/]+\/[^/]+$/, file }];
      const raw = parsed(file) as { uuid: string; full_name: string; mainbranch: { name: string } };
      expect(await client().getRepository('ws/repo')).toMatchObject({
        uuid: raw.uuid,
        fullName: raw.full_name,
        mainBranch: raw.mainbranch.name,
      });
    }
    expect(parsed('repository-mainbranch-niam__woodpecker.json')).toMatchObject({ mainbranch: { name: 'niam' } });
  });

  it('a branch: the hash of its head', async () => {
    routes = [{ match: /\/refs\/branches\/master$/, file: 'branch__jenkins-bbs.json' }];
    const raw = parsed('branch__jenkins-bbs.json') as { target: { hash: string } };
    expect(await client().getBranchHead('ws/repo', 'master')).toBe(raw.target.hash);
  });

  it('diffstats: modified, added, renamed across folders and binary entries with their recorded line counts', async () => {
    for (const file of [
      'diffstat__jenkins-bbs.json',
      'diffstat-renamed__woodpecker.json',
      'diffstat-escaped-slashes__go-scm-jenkins-x.json',
    ]) {
      routes = [{ match: /\/diffstat\//, file }];
      const raw = parsed(file) as {
        values: Array<{
          status: string;
          lines_added: number;
          lines_removed: number;
          old: { path: string } | null;
          new: { path: string } | null;
        }>;
      };
      const changes = await client().listChangedFiles('ws/repo', 'a'.repeat(40), 'b'.repeat(40));
      expect(changes).toEqual(
        raw.values.map((value) => ({
          status: value.status,
          ...(value.status !== 'added' && value.old ? { oldPath: value.old.path } : {}),
          ...(value.status !== 'removed' && value.new ? { newPath: value.new.path } : {}),
          linesAdded: value.lines_added,
          linesRemoved: value.lines_removed,
        })),
      );
    }
    // The recordings hold what the engine must not be fooled by: an added binary file and a rename, both 0/0.
    const binary = parsed('diffstat__jenkins-bbs.json') as { values: Array<{ new: { path: string } | null; lines_added: number }> };
    expect(binary.values.find((value) => value.new?.path === 'resources/image.png')).toMatchObject({ lines_added: 0 });
  });

  it('a /src listing: files with their sizes, directories left to the depth limit, and the opaque next token followed as given', async () => {
    const file = 'src-directory-listing-opaque-next__go-scm.json';
    const raw = parsed(file) as { next: string; values: Array<{ type: string; path: string; size?: number }> };
    const token = new URL(raw.next).searchParams.get('page')!;
    expect(token).not.toMatch(/^\d+$/);
    routes = [
      // The recording is one page of several; the page after it ends the listing.
      { match: new RegExp(`[?&]page=${token}(&|$)`), body: JSON.stringify({ pagelen: 10, values: [], page: 2 }) },
      { match: /\/src\//, file },
    ];

    const entries = await client().listTree('ws/repo', 'c'.repeat(40));

    const files = raw.values.filter((value) => value.type === 'commit_file');
    expect(entries).toEqual(files.map((value) => ({ path: value.path, kind: 'file', size: value.size })));
    expect(requests.filter((url) => url.includes('/src/'))).toHaveLength(2);
    expect(requests[1]).toContain(`page=${token}`);
  });

  it('file metadata: a plain file with its size (attributes [] and mimetype null)', async () => {
    routes = [{ match: /\/src\/[0-9a-f]+\/README\.md\?format=meta$/, file: 'src-file-meta__go-scm.json' }];
    const raw = parsed('src-file-meta__go-scm.json') as { size: number };
    expect(await client().getTreeEntry('ws/repo', 'd'.repeat(40), 'README.md')).toEqual({
      path: 'README.md',
      kind: 'file',
      size: raw.size,
    });
  });

  it("error bodies: 404 for a missing file, 401 for a refused token, each with Bitbucket's message", async () => {
    routes = [
      { match: /\/src\//, file: 'error-404-no-such-file__go-scm.json', status: 404 },
      { match: /^\/2\.0\/repositories\/[^/]+\/[^/]+$/, file: 'error-401__jenkins-bbs.json', status: 401 },
    ];
    const missing = await client()
      .getFile('ws/repo', 'e'.repeat(40), 'README.md.asdas')
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(BitbucketNotFoundError);
    expect((missing as Error).message).toContain('README.md.asdas');
    const refused = await client()
      .getRepository('ws/repo')
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BitbucketAuthError);
  });
});
