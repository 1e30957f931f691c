// Routes of the session, the dashboard, the Bitbucket Cloud provider (webhook URL, secret rotation) and the stored
// tokens. The rotated secret is the only secret any answer carries, once.
import type {
  DashboardResponse,
  FinishRotationResponse,
  ProviderResponse,
  RotateSecretResponse,
  SessionResponse,
  TokensResponse,
  UpdateWebhooksResponse,
} from '../api-types';
import { dashboard } from '../dashboard';
import { AdminError } from '../errors';
import {
  finishRotation,
  providerInfo,
  readSecretOrFail,
  rotateWebhookSecret,
  storedTokens,
  updateAllWebhooks,
  webhookUpdateProblem,
} from '../provider';
import { errorJson, optionalBoolean } from './http';
import type { AdminRoute } from './routes';

/** When the verifiers know a secret written at `rotatedAt`. */
function safeAfter(rotatedAt: string, cacheSeconds: number): string {
  return new Date(Date.parse(rotatedAt) + cacheSeconds * 1000).toISOString();
}

export const PROVIDER_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: 'session',
    handle: async ({ principal, hub }) => {
      const body: SessionResponse = {
        user: principal.user,
        via: principal.via,
        csrfToken: principal.csrfToken,
        expiresAt: principal.expiresAt,
        hub: { kind: hub.target.kind, description: hub.target.description },
      };
      return { body };
    },
  },
  {
    method: 'POST',
    path: 'session/logout',
    handle: async ({ principal }) => {
      principal.logout?.();
      return { status: 204, body: null };
    },
  },
  {
    method: 'GET',
    path: 'dashboard',
    handle: async ({ hub, run }) => ({ body: (await dashboard(hub, run.now())) satisfies DashboardResponse }),
  },
  {
    method: 'GET',
    path: 'provider',
    handle: async ({ hub, run }) => {
      const { info } = await providerInfo(hub);
      const since = info.rotation.since;
      const body: ProviderResponse = {
        ...info,
        rotation: { ...info.rotation, safeAfter: info.rotation.inProgress && since ? safeAfter(since, run.secretCacheSeconds) : null },
      };
      return { body };
    },
  },
  {
    method: 'POST',
    path: 'provider/rotate-secret',
    handle: async ({ hub, run, body, messages }) => {
      body();
      const next = await rotateWebhookSecret(run, hub);
      run.note(
        `New webhook secret (shown once). Both it and the previous one are accepted until finish-rotation; verifiers pick it up within ${run.secretCacheSeconds} s.`,
      );
      const answer: RotateSecretResponse = {
        secret: next.current,
        rotatedAt: next.rotatedAt,
        previousAccepted: next.previous !== '',
        safeAfter: safeAfter(next.rotatedAt, run.secretCacheSeconds),
        messages: messages(),
      };
      return { body: answer };
    },
  },
  {
    method: 'POST',
    path: 'provider/update-webhooks',
    handle: async ({ hub, run, body, messages }) => {
      const skipCacheWait = optionalBoolean(body(), 'skipCacheWait') ?? false;
      const webhooks = await updateAllWebhooks(run, hub, await readSecretOrFail(hub), {
        skipCacheWait,
        waitOut: async (wait) => {
          const seconds = Math.ceil(wait / 1000);
          throw new AdminError(
            `the verifiers may not know the new webhook secret for ${seconds} s more (they cache it ${run.secretCacheSeconds} s)`,
            {
              hint: `update the webhooks after ${seconds} s: until then a delivery signed with the new secret could be refused`,
              code: 'conflict',
              retryAfterSeconds: seconds,
            },
          );
        },
      });
      const problem = webhookUpdateProblem(webhooks);
      const answer: UpdateWebhooksResponse = { webhooks, problem: problem ? errorJson(problem) : null, messages: messages() };
      return { body: answer };
    },
  },
  {
    method: 'POST',
    path: 'provider/finish-rotation',
    handle: async ({ hub, run, body, messages }) => {
      const force = optionalBoolean(body(), 'force') ?? false;
      await finishRotation(run, hub, { force });
      const answer: FinishRotationResponse = { finished: true, messages: messages() };
      return { body: answer };
    },
  },
  {
    method: 'GET',
    path: 'tokens',
    handle: async ({ hub }) => {
      const body: TokensResponse = { tokens: storedTokens(hub, await hub.repositories.listRepositories()) };
      return { body };
    },
  },
];
