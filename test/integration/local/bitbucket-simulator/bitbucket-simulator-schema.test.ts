import Ajv, { type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { BITBUCKET_OPENAPI_PATH, describeWithReference } from '../../../support/shared-reference';

// Atlassian's OpenAPI document lives in the shared folder beside the repository root, never in the repository.
const SPEC_PATH = BITBUCKET_OPENAPI_PATH;
const describeIfSpec = describeWithReference(SPEC_PATH);

type Schema = Record<string, unknown>;

/**
 * Loads `components.schemas` into ajv so `#/components/schemas/...` refs resolve.
 *
 * Spec quirks handled here, each on purpose:
 * - The document has no `nullable` at all, yet Bitbucket sends `"old": null` for added and `"new": null` for
 *   removed files in a diffstat. Only those two properties are widened to also allow null; a test below
 *   proves the unpatched schema rejects them, so the patch stays honest.
 * - Formats `uri`, `date-time`, `int32`, `int64` are checked by small validators of our own (ajv-formats is not
 *   a dependency); everything else (`discriminator`, `example`...) is ignored with `strict: false`.
 */
function buildValidator(
  spec: { components: { schemas: Record<string, Schema> } },
  patchNullable: boolean,
): (name: string) => ValidateFunction {
  const schemas = structuredClone(spec.components.schemas);
  if (patchNullable) {
    const diffstat = schemas.diffstat as { properties: Record<string, Schema> };
    for (const side of ['old', 'new']) diffstat.properties[side] = { anyOf: [diffstat.properties[side], { type: 'null' }] };
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uri', {
    type: 'string',
    validate: (value: string) => {
      try {
        return Boolean(new URL(value).protocol);
      } catch {
        return false;
      }
    },
  });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addSchema({ $id: 'bitbucket', components: { schemas } });
  const cache = new Map<string, ValidateFunction>();
  return (name) => {
    let validate = cache.get(name);
    if (!validate) {
      validate = ajv.compile({ $ref: `bitbucket#/components/schemas/${name}` });
      cache.set(name, validate);
    }
    return validate;
  };
}

describeIfSpec('simulator JSON answers validate against the Bitbucket OpenAPI schemas', () => {
  let sim: BitbucketSimulator;
  let repo: SimulatedRepository;
  let validator: (name: string) => ValidateFunction;
  let strictValidator: (name: string) => ValidateFunction;
  let oldCommit: string;
  let newCommit: string;

  beforeAll(async () => {
    const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as { components: { schemas: Record<string, Schema> } };
    validator = buildValidator(spec, true);
    strictValidator = buildValidator(spec, false);
    sim = await startBitbucketSimulator({ pagelen: { diffstat: 2, src: 3 }, maxListDepth: 3 });
    repo = await sim.createRepository('acme/schema');
    oldCommit = await repo.commit({
      'models/a.hck.json': '{"a":1}',
      'models/gone.hck.json': '{"gone":true}',
      'models/old.hck.json': '{"rename":"me please"}',
      'bin.dat': Buffer.from([0, 1, 2]),
    });
    newCommit = await repo.commit(
      { 'models/a.hck.json': '{"a":2}', 'models/gone.hck.json': null, 'models/sub dir/ü.hck.json': '{"new":true}' },
      { renames: [['models/old.hck.json', 'models/new.hck.json']] },
    );
    repo.markLfs('bin.dat');
  });

  afterAll(async () => {
    await sim.close();
  });

  async function getJson(path: string, token: string | undefined = repo.token): Promise<{ status: number; body: unknown }> {
    const response = await request(`${sim.apiUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const text = await response.body.text();
    return { status: response.statusCode, body: JSON.parse(text) as unknown };
  }

  function expectValid(name: string, body: unknown): void {
    const validate = validator(name);
    const valid = validate(body);
    expect({ schema: name, errors: valid ? null : validate.errors }).toEqual({ schema: name, errors: null });
  }

  it('GET repository matches `repository`', async () => {
    const { status, body } = await getJson(`/repositories/${repo.fullName}`);
    expect(status).toBe(200);
    expectValid('repository', body);
    expect(body).toMatchObject({
      type: 'repository',
      full_name: 'acme/schema',
      uuid: repo.uuid,
      mainbranch: { type: 'branch', name: 'main' },
    });
  });

  it('the validator has teeth: a repository with a wrong type or an undeclared link property is rejected', async () => {
    const { body } = await getJson(`/repositories/${repo.fullName}`);
    const broken = structuredClone(body) as { mainbranch: { name: unknown }; links: { self: Record<string, unknown> }; created_on: string };
    broken.mainbranch.name = 42;
    broken.links.self.extra = 'not allowed: link objects have additionalProperties false';
    broken.created_on = 'yesterday';
    const validate = validator('repository');
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath).sort()).toEqual(
      expect.arrayContaining(['/created_on', '/links/self', '/mainbranch/name']),
    );
  });

  it('GET branch matches `branch`', async () => {
    const { status, body } = await getJson(`/repositories/${repo.fullName}/refs/branches/main`);
    expect(status).toBe(200);
    expectValid('branch', body);
    expect(body).toMatchObject({
      type: 'branch',
      name: 'main',
      target: { type: 'commit', hash: newCommit, parents: [{ hash: oldCommit }] },
    });
  });

  it('every diffstat page matches `paginated_diffstats`, with null old/new for added/removed files', async () => {
    const values: Array<{ status: string; old: unknown; new: unknown }> = [];
    let path: string | undefined = `/repositories/${repo.fullName}/diffstat/${newCommit}..${oldCommit}?topic=false`;
    while (path) {
      const { status, body } = await getJson(path);
      expect(status).toBe(200);
      expectValid('paginated_diffstats', body);
      const page = body as { values: typeof values; next?: string };
      values.push(...page.values);
      path = page.next?.slice(sim.apiUrl.length);
    }
    expect(values.map((v) => v.status).sort()).toEqual(['added', 'modified', 'removed', 'renamed']);
    expect(values.find((v) => v.status === 'added')?.old).toBeNull();
    expect(values.find((v) => v.status === 'removed')?.new).toBeNull();
  });

  it('documents the spec quirk: the unpatched diffstat schema rejects the null sides Bitbucket really sends', async () => {
    const { body } = await getJson(`/repositories/${repo.fullName}/diffstat/${newCommit}..${oldCommit}?topic=false&pagelen=50`);
    const validate = strictValidator('paginated_diffstats');
    expect(validate(body)).toBe(false);
    expect(validate.errors?.every((e) => /\/values\/\d+\/(old|new)$/.test(e.instancePath))).toBe(true);
  });

  it('every /src listing page matches `paginated_treeentries`', async () => {
    let path: string | undefined = `/repositories/${repo.fullName}/src/${newCommit}/?max_depth=3`;
    const types = new Set<string>();
    while (path) {
      const { status, body } = await getJson(path);
      expect(status).toBe(200);
      expectValid('paginated_treeentries', body);
      const page = body as { values: Array<{ type: string }>; next?: string };
      for (const value of page.values) types.add(value.type);
      path = page.next?.slice(sim.apiUrl.length);
    }
    expect([...types].sort()).toEqual(['commit_directory', 'commit_file']);
  });

  it('error answers (401, 404, 555) match `error`', async () => {
    const unauthorized = await getJson(`/repositories/${repo.fullName}`, 'wrong-token');
    const missing = await getJson(`/repositories/${repo.fullName}/src/${newCommit}/no/such/file`);
    const tooDeep = await getJson(`/repositories/${repo.fullName}/src/${newCommit}/?max_depth=9`);

    expect([unauthorized.status, missing.status, tooDeep.status]).toEqual([401, 404, 555]);
    for (const { body } of [unauthorized, missing, tooDeep]) expectValid('error', body);
    expect(unauthorized.body).toEqual({
      type: 'error',
      error: { message: 'Token is invalid, expired, or not supported for this endpoint.' },
    });
  });
});
