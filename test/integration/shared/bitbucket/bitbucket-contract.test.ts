import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { startBitbucketSimulator } from '../../../../local/bitbucket-simulator';
import { BITBUCKET_ENDPOINTS } from '../../../../shared/bitbucket/bitbucket-endpoints';
import { BitbucketClient } from '../../../../shared/bitbucket/bitbucket-client';
import { BITBUCKET_OPENAPI_PATH, describeWithReference } from '../../../support/shared-reference';

// Atlassian's OpenAPI document lives in the shared folder beside the repository root, never in the repository.
const SPEC_PATH = BITBUCKET_OPENAPI_PATH;
const describeIfSpec = describeWithReference(SPEC_PATH);

interface Parameter {
  name?: string;
  in?: string;
  $ref?: string;
}
interface Operation {
  parameters?: Parameter[];
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
type PathItem = Record<string, Operation> & { parameters?: Parameter[] };
interface Spec {
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }>; parameters?: Record<string, Parameter> };
}

const endpoints = Object.values(BITBUCKET_ENDPOINTS);

/**
 * Turns a template into a regex for request paths. A trailing `{path}` or `{name}` may span segments: file paths
 * and branch names (`feature/x`) keep their `/` literal, and `{path}` is empty for the root listing.
 */
function templateRegex(template: string): RegExp {
  const parts = template.split(/(\{\w+\})/).filter(Boolean);
  const pattern = parts
    .map((part, i) => {
      if (!/^\{\w+\}$/.test(part)) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return i === parts.length - 1 && (part === '{path}' || part === '{name}') ? '.*' : '[^/]+';
    })
    .join('');
  return new RegExp(`^/2\\.0${pattern}$`);
}

describeIfSpec('Bitbucket client endpoints against the OpenAPI spec', () => {
  let spec: Spec;

  beforeAll(() => {
    spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;
  });

  const resolveParameter = (parameter: Parameter): Parameter => {
    if (!parameter.$ref) return parameter;
    const name = parameter.$ref.split('/').pop() as string;
    return spec.components.parameters?.[name] ?? parameter;
  };

  it.each(endpoints.map((e) => [e.template, e]))(
    '%s exists as a GET operation with every path parameter declared',
    (template, endpoint) => {
      const item = spec.paths[template];
      expect(item).toBeDefined();
      const operation = (item as PathItem)[endpoint.method.toLowerCase()];
      expect(operation).toBeDefined();
      const declared = [...((item as PathItem).parameters ?? []), ...(operation?.parameters ?? [])].map(resolveParameter);
      const pathParams = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const name of pathParams) expect(declared).toContainEqual(expect.objectContaining({ name, in: 'path' }));
    },
  );

  it.each(endpoints.flatMap((e) => e.query.map((q) => [e.template, q] as const)))(
    '%s accepts the query parameter %s',
    (template, query) => {
      const item = spec.paths[template] as PathItem;
      const operation = item.get as Operation;
      const declared = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(resolveParameter);
      if (declared.some((p) => p.name === query && p.in === 'query')) return;
      // The spec declares `page`/`pagelen` on only 6 of 331 operations: for the rest they are the generic
      // pagination parameters of the intro ("Pagination": `pagelen`, globally 10..100). We accept them only where
      // the 200 answer really is a paginated collection, i.e. its schema has a `pagelen` property.
      expect(['page', 'pagelen']).toContain(query);
      const ref = operation.responses?.['200']?.content?.['application/json']?.schema?.$ref ?? '';
      const schema = spec.components.schemas[ref.split('/').pop() as string];
      expect(ref).toMatch(/^#\/components\/schemas\/paginated_/);
      expect(schema?.properties).toHaveProperty('pagelen');
    },
  );

  it('sends only requests that match a declared endpoint and its declared query parameters', async () => {
    // Prepare: exercise every client method against the simulator with tiny pages, so `next` links are followed too.
    const sim = await startBitbucketSimulator({ pagelen: { diffstat: 1, src: 2, repositories: 1 } });
    const dispatcher = new Agent();
    try {
      const repo = await sim.createRepository('acme/contract');
      const old = await repo.commit({ 'a/b/c.hck.json': '1', 'd.hck.json': '2' });
      const next = await repo.commit({ 'a/b/c.hck.json': '3', 'e f/ü.hck.json': '4' }, { branch: 'feature/x' });
      const client = new BitbucketClient({ baseUrl: sim.apiUrl, token: repo.token, dispatcher, listMaxDepth: 1 });

      // Act
      await client.getRepository(repo.fullName);
      await client.getBranchHead(repo.fullName, 'feature/x');
      await client.listChangedFiles(repo.fullName, next, old);
      await client.listFiles(repo.fullName, next);
      await client.getFile(repo.fullName, next, 'e f/ü.hck.json');
      // The same calls addressed by the uuids of workspace and repository, as the hub makes them for added repositories.
      const byUuids = { fullName: repo.fullName, uuid: repo.uuid, workspaceUuid: repo.workspaceUuid };
      expect((await client.getRepository(byUuids)).workspaceUuid).toBe(repo.workspaceUuid);
      await client.getBranchHead(byUuids, 'feature/x');
      await client.listChangedFiles(byUuids, next, old);
      await client.listFiles(byUuids, next);
      await client.getTreeEntry(byUuids, next, 'd.hck.json');
      await client.getFile(byUuids, next, 'e f/ü.hck.json');
      const hook = await client.createWebhook(byUuids, {
        url: 'https://hub.example/sync',
        description: 'c',
        active: true,
        events: ['repo:push'],
      });
      await client.updateWebhook(byUuids, hook.uuid, {
        url: 'https://hub.example/v2',
        description: 'c',
        active: true,
        events: ['repo:push'],
      });
      await client.listWebhooks(byUuids);
      await client.deleteWebhook(byUuids, hook.uuid);
      expect(sim.requests.filter((r) => r.path.includes(encodeURIComponent(repo.uuid)) && r.status < 300).length).toBeGreaterThanOrEqual(
        10,
      );
      await sim.createRepository('acme/second');
      const workspaceClient = new BitbucketClient({ baseUrl: sim.apiUrl, token: sim.createWorkspaceToken('acme').token, dispatcher });
      const listed = await workspaceClient.listWorkspaceRepositories('acme');

      // Assess
      expect(sim.requests.length).toBeGreaterThan(8);
      expect(listed.map((repository) => repository.fullName)).toEqual(['acme/contract', 'acme/second']);
      for (const { path } of sim.requests) {
        const url = new URL(path, 'http://simulator');
        const endpoint = endpoints.find((e) => templateRegex(e.template).test(url.pathname));
        expect({ path, endpoint: endpoint?.template }).toEqual({ path, endpoint: expect.any(String) });
        // `page` only ever arrives through the server's own `next` links.
        const allowed: readonly string[] = [...(endpoint?.query ?? []), 'page'];
        for (const key of url.searchParams.keys())
          expect({ path, key, allowed: allowed.includes(key) }).toEqual({ path, key, allowed: true });
      }
    } finally {
      await dispatcher.close();
      await sim.close();
    }
  });
});
