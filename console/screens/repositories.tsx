// The Repositories tab: each added repository with its synced branch, commit and status (progress while a sync
// runs), kept live, with the per-repository menu of sync actions; "+ Add repositories" opens the add flow.
import type { RepositoriesResponse, RepositoryListingJson } from '../../shared/admin/api-types';
import { ErrorNotice } from '../components/error-notice';
import { RepositoryActions } from '../components/repository-actions';
import { shortCommit, shownStatus, shownTime } from '../format';
import { useLoad } from '../hooks';
import { href } from '../router';

export const REPOSITORIES_POLL_MS = 2000;

export function Repositories() {
  const listing = useLoad((api) => api.get<RepositoriesResponse>('/repositories'), 'repositories', REPOSITORIES_POLL_MS);
  const repositories = listing.data?.repositories;
  return (
    <section aria-labelledby="repositories-title">
      <div class="screen-header">
        <h1 id="repositories-title">Repositories</h1>
        <a class="button primary" href={href({ screen: 'add-repositories' })}>
          + Add repositories
        </a>
      </div>
      <ErrorNotice error={listing.error} />
      {repositories && repositories.length === 0 && (
        <p>
          No repository is synced yet. <a href={href({ screen: 'add-repositories' })}>Add repositories</a> from a Bitbucket workspace.
        </p>
      )}
      {repositories && repositories.length > 0 && (
        <div class="table-scroll">
          <table aria-label="Repositories" class="stack-on-phone">
            <thead>
              <tr>
                <th scope="col">Repository</th>
                <th scope="col">Synced branch</th>
                <th scope="col">Commit</th>
                <th scope="col">Status</th>
                <th scope="col">Last sync</th>
                <th scope="col">Models</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {repositories.map((repository) => (
                <RepositoryRow key={repository.uuid} repository={repository} onChanged={listing.reload} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RepositoryRow({ repository, onChanged }: { repository: RepositoryListingJson; onChanged: () => void }) {
  return (
    <tr data-repository={repository.repository}>
      <th scope="row">
        <a href={href({ screen: 'repository', uuid: repository.uuid })}>{repository.repository}</a>
      </th>
      <td data-label="Synced branch">{repository.branch ?? ''}</td>
      <td data-label="Commit">
        <code>{shortCommit(repository.syncedCommit)}</code>
      </td>
      <td data-label="Status">
        <StatusBadge repository={repository} />
      </td>
      <td data-label="Last sync">{shownTime(repository.lastSyncAt)}</td>
      <td data-label="Models">{repository.models}</td>
      <td class="row-actions">
        <RepositoryActions target={repository} onChanged={onChanged} />
      </td>
    </tr>
  );
}

/** A repository's status in the CLI's words, with a progress bar while it syncs. */
export function StatusBadge({ repository }: { repository: Pick<RepositoryListingJson, 'status' | 'progress' | 'reason' | 'repository'> }) {
  const { status, progress, reason } = repository;
  return (
    <span class={`status status-${status}`}>
      {shownStatus(status, progress, reason)}
      {status === 'syncing' && progress && progress.total > 0 && (
        <progress max={progress.total} value={progress.done} aria-label={`${repository.repository}: files synced`} />
      )}
    </span>
  );
}
