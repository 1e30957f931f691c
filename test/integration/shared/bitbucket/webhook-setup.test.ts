import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { startBitbucketSimulator, type BitbucketSimulator } from '../../../../local/bitbucket-simulator';
import { BITBUCKET_ENDPOINTS } from '../../../../shared/bitbucket/bitbucket-endpoints';
import { BitbucketAuthError } from '../../../../shared/bitbucket/errors';
import { BitbucketClient } from '../../../../shared/bitbucket/bitbucket-client';
import {
  deleteHubWebhooks,
  ensureHubWebhook,
  hubIdentity,
  updateHubWebhookSecret,
  webhookDescription,
} from '../../../../shared/bitbucket/webhook-setup';
import { BITBUCKET_OPENAPI_PATH, itWithReference } from '../../../support/shared-reference';

const SPEC_PATH = BITBUCKET_OPENAPI_PATH;
const HUB_URL = 'https://hub.example.com/gateway/public/sync';
const HUB = hubIdentity(HUB_URL, 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:Production/webhook-secret-AbCdEf');

/** Matches a served request to a declared endpoint by method and path template (`{uid}` is one segment). */
function endpointOf(method: string, path: string): string | undefined {
  const pathname = new URL(path, 'http://simulator').pathname;
  return Object.values(BITBUCKET_ENDPOINTS).find((endpoint) => {
    const pattern = endpoint.template.replace(/\{(\w+)\}/g, '[^/]+');
    return endpoint.method === method && new RegExp(`^/2\\.0${pattern}$`).test(pathname);
  })?.template;
}

describe("the hub's webhook in a repository, through the client and the simulator", () => {
  let sim: BitbucketSimulator;
  const dispatcher = new Agent();

  beforeAll(async () => {
    sim = await startBitbucketSimulator();
  });
  afterAll(async () => {
    await dispatcher.close();
    await sim.close();
  });

  it('creates the hook once, then updates it (also when a hand-made hook exists), and deletes only its own', async () => {
    // Prepare: someone's own hook on the repository must survive.
    const repo = await sim.createRepository('acme/hooks');
    const client = new BitbucketClient({ baseUrl: sim.apiUrl, token: repo.token, dispatcher });
    await client.createWebhook(repo.fullName, {
      url: 'https://ci.example.com/hook',
      description: 'CI',
      active: true,
      events: ['repo:push', 'pullrequest:created'],
    });
    sim.resetRequests();

    // Act
    const created = await ensureHubWebhook(client, repo.fullName, HUB, 'first-secret');
    const updated = await ensureHubWebhook(client, repo.fullName, HUB, 'second-secret');
    const rotated = await updateHubWebhookSecret(client, repo.fullName, HUB, 'third-secret');
    const listed = await client.listWebhooks(repo.fullName);
    const deleted = await deleteHubWebhooks(client, repo.fullName, HUB);

    // Assess
    expect(created).toMatchObject({
      action: 'created',
      hook: { url: HUB_URL, description: webhookDescription(HUB), active: true, events: ['repo:push'], secretSet: true },
      others: [],
    });
    expect(updated).toMatchObject({ action: 'updated', hook: { uuid: created.hook.uuid } });
    expect(rotated).toBe(1);
    expect(listed.map((hook) => hook.url)).toEqual(['https://ci.example.com/hook', HUB_URL]);
    expect(deleted).toBe(1);
    expect(repo.webhooks.map((hook) => [hook.url, hook.secret])).toEqual([['https://ci.example.com/hook', '']]);
    // Every request is a declared endpoint with its declared method (the contract test checks those against the spec).
    expect(sim.requests.map((r) => [r.method, endpointOf(r.method, r.path), r.status])).toEqual([
      ['GET', '/repositories/{workspace}/{repo_slug}/hooks', 200],
      ['POST', '/repositories/{workspace}/{repo_slug}/hooks', 201],
      ['GET', '/repositories/{workspace}/{repo_slug}/hooks', 200],
      ['PUT', '/repositories/{workspace}/{repo_slug}/hooks/{uid}', 200],
      ['GET', '/repositories/{workspace}/{repo_slug}/hooks', 200],
      ['PUT', '/repositories/{workspace}/{repo_slug}/hooks/{uid}', 200],
      ['GET', '/repositories/{workspace}/{repo_slug}/hooks', 200],
      ['GET', '/repositories/{workspace}/{repo_slug}/hooks', 200],
      ['DELETE', '/repositories/{workspace}/{repo_slug}/hooks/{uid}', 204],
    ]);
  });

  it('recognises its hook by description after the hub URL changed, and moves it', async () => {
    const repo = await sim.createRepository('acme/moved');
    const client = new BitbucketClient({ baseUrl: sim.apiUrl, token: repo.token, dispatcher });
    await ensureHubWebhook(client, repo.fullName, { ...HUB, webhookUrl: 'https://old.example.com/gateway/public/sync' }, 's');

    const moved = await ensureHubWebhook(client, repo.fullName, HUB, 's');

    expect(moved.action).toBe('updated');
    expect(repo.webhooks.map((hook) => hook.url)).toEqual([HUB_URL]);
  });

  it("leaves another hub's webhook alone (two hubs, e.g. staging and production, on one repository)", async () => {
    const repo = await sim.createRepository('acme/two-hubs');
    const client = new BitbucketClient({ baseUrl: sim.apiUrl, token: repo.token, dispatcher });
    const staging = hubIdentity(
      'https://staging.example.com/gateway/public/sync',
      'arn:aws:secretsmanager:eu-west-1:111122223333:secret:Staging/webhook-secret-XyZ123',
    );
    await ensureHubWebhook(client, repo.fullName, staging, 'staging-secret');

    const production = await ensureHubWebhook(client, repo.fullName, HUB, 'production-secret');
    await updateHubWebhookSecret(client, repo.fullName, HUB, 'rotated-production-secret');
    await deleteHubWebhooks(client, repo.fullName, HUB);

    expect(production).toMatchObject({ action: 'created', others: [] });
    expect(repo.webhooks.map((hook) => [hook.url, hook.secret])).toEqual([[staging.webhookUrl, 'staging-secret']]);
  });

  it('says which scope is missing when the token may not manage webhooks', async () => {
    const repo = await sim.createRepository('acme/no-hooks', { scopes: ['repository'] });
    const client = new BitbucketClient({ baseUrl: sim.apiUrl, token: repo.token, dispatcher });

    const error = await client.listWebhooks(repo.fullName).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BitbucketAuthError);
    expect(error).toMatchObject({ status: 403, scope: 'webhook', missingScopes: ['webhook'] });
    expect((error as Error).message).toContain('lacks the scope "webhook" (Webhooks: Read and write)');
  });

  itWithReference(SPEC_PATH)('answers hook requests with webhook_subscription shapes of the OpenAPI document', async () => {
    // Prepare
    const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as { components: { schemas: Record<string, unknown> } };
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'bitbucket', components: { schemas: spec.components.schemas } });
    const validate = (name: string) => ajv.compile({ $ref: `bitbucket#/components/schemas/${name}` });
    const repo = await sim.createRepository('acme/schema');
    const client = new BitbucketClient({ baseUrl: sim.apiUrl, token: repo.token, dispatcher });
    const hook = await client.createWebhook(repo.fullName, {
      url: HUB_URL,
      description: 'd',
      active: true,
      events: ['repo:push'],
      secret: 's',
    });

    // Act
    const get = (path: string) =>
      request(`${sim.apiUrl}/repositories/acme/schema${path}`, { headers: { authorization: `Bearer ${repo.token}` }, dispatcher }).then(
        (r) => r.body.json(),
      );
    const page = await get('/hooks');
    const single = await get(`/hooks/${encodeURIComponent(hook.uuid)}`);

    // Assess
    const paginated = validate('paginated_webhook_subscriptions');
    const subscription = validate('webhook_subscription');
    expect([paginated(page), paginated.errors]).toEqual([true, null]);
    expect([subscription(single), subscription.errors]).toEqual([true, null]);
    expect(single).not.toHaveProperty('secret');
  });
});
