// The first screen, as on the Model Hub's panel: providers configured, repositories synced, the last committed
// repository and recent commit activity; kept live while it is open.
import type { DashboardResponse } from '../../shared/admin/api-types';
import { ErrorNotice } from '../components/error-notice';
import { shownCommits, shownCounts, shownTime } from '../format';
import { useLoad } from '../hooks';
import { href } from '../router';

export const DASHBOARD_POLL_MS = 5000;

export function Dashboard() {
  const dashboard = useLoad((api) => api.get<DashboardResponse>('/dashboard'), 'dashboard', DASHBOARD_POLL_MS);
  const data = dashboard.data;
  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Dashboard</h1>
      <ErrorNotice error={dashboard.error} />
      {data && (
        <>
          <div class="cards">
            <ProvidersCard data={data} />
            <RepositoriesCard data={data} />
            <LastCommittedCard data={data} />
          </div>
          <ActivityTable data={data} />
        </>
      )}
    </section>
  );
}

function ProvidersCard({ data }: { data: DashboardResponse }) {
  const bitbucket = data.providers.bitbucketCloud;
  return (
    <article class="card" aria-labelledby="card-providers">
      <h2 id="card-providers">Providers configured</h2>
      <p class="card-figure">{data.providers.configured}</p>
      <p>
        Bitbucket Cloud: {bitbucket.secretSet ? 'webhook secret set' : 'no webhook secret yet'}
        {bitbucket.rotationInProgress && ', rotation in progress'}
      </p>
      <a href={href({ screen: 'provider' })}>{data.providers.configured ? 'Git Provider' : '+ setup Git Provider'}</a>
    </article>
  );
}

function RepositoriesCard({ data }: { data: DashboardResponse }) {
  const synced = data.repositories.byStatus.synced ?? 0;
  const others = Object.entries(data.repositories.byStatus).filter(([status, count]) => status !== 'synced' && count > 0);
  return (
    <article class="card" aria-labelledby="card-repositories">
      <h2 id="card-repositories">Repositories synced</h2>
      <p class="card-figure">
        {synced}
        <span class="card-total"> / {data.repositories.total}</span>
      </p>
      <p>
        {others.length > 0
          ? others.map(([status, count]) => `${count} ${status}`).join(', ')
          : data.repositories.total > 0
            ? 'all synced'
            : 'none added yet'}
      </p>
      <a href={href({ screen: data.repositories.total > 0 ? 'repositories' : 'add-repositories' })}>
        {data.repositories.total > 0 ? 'Repositories' : '+ Add repositories'}
      </a>
    </article>
  );
}

function LastCommittedCard({ data }: { data: DashboardResponse }) {
  const last = data.lastCommitted;
  return (
    <article class="card" aria-labelledby="card-last">
      <h2 id="card-last">Last committed repository</h2>
      {last ? (
        <>
          <p class="card-name">
            <a href={href({ screen: 'repository', uuid: last.repositoryUuid })}>{last.repository}</a>
          </p>
          <p>
            {shownTime(last.time)} · {last.branch ?? ''} <code>{shownCommits(last.fromCommit, last.toCommit)}</code> · models{' '}
            {shownCounts(last.counts)}
          </p>
        </>
      ) : (
        <p>No commit replicated yet.</p>
      )}
    </article>
  );
}

function ActivityTable({ data }: { data: DashboardResponse }) {
  return (
    <section aria-labelledby="activity-title">
      <h2 id="activity-title">Recent commit activity</h2>
      {data.recentActivity.length === 0 ? (
        <p>No sync has replicated a commit yet. Add a repository, then push to it.</p>
      ) : (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Repository</th>
                <th scope="col">Branch</th>
                <th scope="col">Commits</th>
                <th scope="col">Models</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {data.recentActivity.map((entry, index) => (
                <tr key={`${entry.time}-${index}`}>
                  <td>{shownTime(entry.time)}</td>
                  <td>
                    <a href={href({ screen: 'repository', uuid: entry.repositoryUuid })}>{entry.repository}</a>
                  </td>
                  <td>{entry.branch ?? ''}</td>
                  <td>
                    <code>{shownCommits(entry.fromCommit, entry.toCommit)}</code>
                  </td>
                  <td>{shownCounts(entry.counts)}</td>
                  <td>
                    {entry.requestUuid ? (
                      <a href={href({ screen: 'events', repository: entry.repositoryUuid, request: entry.requestUuid })}>
                        {entry.outcome ?? ''}
                      </a>
                    ) : (
                      (entry.outcome ?? '')
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
