// One repository in full (`repo show`): its sync status, the health of its webhook as Bitbucket has it now, its
// last runs and its models, with the same actions menu as the Repositories tab.
import type { RepositoryDetailsResponse, WebhookCheckJson } from '../../shared/admin/api-types';
import { uuidSegment } from '../api/client';
import { ErrorNotice } from '../components/error-notice';
import { RepositoryActions } from '../components/repository-actions';
import { shortCommit, shownTime } from '../format';
import { useLoad } from '../hooks';
import { href, navigate } from '../router';
import { StatusBadge } from './repositories';

export const DETAIL_POLL_MS = 3000;

/** The webhook's health in one line, and whether it is healthy. */
export function webhookHealth(webhook: WebhookCheckJson): { healthy: boolean; text: string } {
  if (webhook.state === 'missing')
    return { healthy: false, text: 'missing: no hub webhook in Bitbucket (add the repository again with “Create webhook”)' };
  if (webhook.state === 'unknown') return { healthy: false, text: `unknown: ${webhook.error ?? 'Bitbucket could not be asked'}` };
  const problems = [
    webhook.active === false && 'inactive',
    webhook.urlMatches === false && `its URL is ${webhook.url ?? '?'}, not the hub’s`,
    webhook.eventsMatch === false && 'it does not send repo:push',
    webhook.secretSet === false && 'it has no secret',
  ].filter((problem): problem is string => Boolean(problem));
  return problems.length === 0
    ? { healthy: true, text: 'healthy: active, hub URL, repo:push, secret set' }
    : { healthy: false, text: problems.join('; ') };
}

export function RepositoryDetail({ uuid }: { uuid: string }) {
  const path = `/repositories/${uuidSegment(uuid)}`;
  const details = useLoad((api) => api.get<RepositoryDetailsResponse>(path), path, DETAIL_POLL_MS);
  const data = details.data;
  return (
    <section aria-labelledby="detail-title">
      <p class="breadcrumb">
        <a href={href({ screen: 'repositories' })}>Repositories</a> /
      </p>
      <div class="screen-header">
        <h1 id="detail-title">{data?.repository ?? 'Repository'}</h1>
        {data && <RepositoryActions target={data} onChanged={details.reload} onRemoved={() => navigate({ screen: 'repositories' })} />}
      </div>
      <ErrorNotice error={details.error} />
      {data && <DetailBody data={data} />}
    </section>
  );
}

function DetailBody({ data }: { data: RepositoryDetailsResponse }) {
  const health = webhookHealth(data.webhook);
  return (
    <>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge repository={data.sync} />
        </dd>
        <dt>Synced branch</dt>
        <dd>{data.sync.branch ?? ''}</dd>
        <dt>Synced commit</dt>
        <dd>
          <code>{shortCommit(data.sync.syncedCommit)}</code> {shownTime(data.sync.lastSyncAt)}
        </dd>
        <dt>Model files</dt>
        <dd>
          <code>{data.modelPattern}</code>
        </dd>
        <dt>Webhook</dt>
        <dd class={health.healthy ? 'ok' : 'warning'}>{health.text}</dd>
        <dt>Access token</dt>
        <dd>
          {data.token.stored ? 'stored' : 'missing'} ({data.token.secretName})
          {data.token.sharedWith.length > 0 && `, shared with ${data.token.sharedWith.join(', ')}`}
        </dd>
        <dt>Added</dt>
        <dd>{shownTime(data.addedAt)}</dd>
        <dt>Models</dt>
        <dd>
          {data.models.total} (
          {Object.entries(data.models.byStatus)
            .map(([status, count]) => `${count} ${status}`)
            .join(', ') || 'none'}
          ) · <a href={href({ screen: 'models', uuid: data.uuid })}>Browse models</a>
        </dd>
      </dl>
      <h2>Last runs</h2>
      {data.lastRuns.length === 0 ? (
        <p>No sync has run yet.</p>
      ) : (
        <div class="table-scroll">
          <table aria-label="Last runs">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Outcome</th>
                <th scope="col">Commits</th>
                <th scope="col">Models</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {data.lastRuns.map((run, index) => (
                <tr key={`${run.time}-${index}`}>
                  <td>{shownTime(run.time)}</td>
                  <td>{run.outcome ?? ''}</td>
                  <td>
                    <code>{run.commits ?? ''}</code>
                  </td>
                  <td>{run.models ?? ''}</td>
                  <td>{run.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p>
        <a href={href({ screen: 'events', repository: data.uuid })}>All events of {data.repository}</a>
      </p>
    </>
  );
}
