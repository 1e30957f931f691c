// The Models tab: repository → folder tree → model (its metadata, its entities, a download of the exact bytes the
// hub replicated), and a search over models and their entities; all read through the read API.
import { useState } from 'preact/hooks';
import type { RepositoriesResponse } from '../../shared/admin/api-types';
import { downloadModel } from '../api/download';
import { type ModelDetailsJson, type ModelPageJson, type SearchResultsJson } from '../api/read-types';
import { ErrorNotice } from '../components/error-notice';
import { shortCommit, shownBytes, shownTime } from '../format';
import { useAction, useApi, useLoad } from '../hooks';
import { baseName, buildTree, type TreeFolder } from '../model-tree';
import { href, navigate } from '../router';

/** Most models listed for one repository's tree (pages of 200). */
const MAX_TREE_PAGES = 10;
/** A read route as the admin API client names it (relative to the admin base path). */
const read = (path: string) => `/read${path}`;
const repositoryPath = (uuid: string) => `/repositories/${encodeURIComponent(uuid)}`;

export function Models({ uuid, path, q }: { uuid?: string; path?: string; q?: string }) {
  const repositories = useLoad((api) => api.get<RepositoriesResponse>('/repositories'), 'model-repositories');
  const [query, setQuery] = useState(q ?? '');
  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Models</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          navigate({ screen: 'models', uuid, q: query.trim() || undefined });
        }}
      >
        <label for="model-search">Search models and entities</label>
        <input id="model-search" type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
        <button type="submit">Search</button>
        <label for="models-repository">Repository</label>
        <select
          id="models-repository"
          value={uuid ?? ''}
          onChange={(event) => navigate({ screen: 'models', uuid: event.currentTarget.value || undefined })}
        >
          <option value="">Choose a repository…</option>
          {repositories.data?.repositories.map((repository) => (
            <option key={repository.uuid} value={repository.uuid}>
              {repository.repository} ({repository.models})
            </option>
          ))}
        </select>
      </form>
      <ErrorNotice error={repositories.error} />
      {q && <SearchResults q={q} uuid={uuid} />}
      {uuid && !q && (
        <div class="models-layout">
          <ModelTree uuid={uuid} selected={path} />
          {path ? <ModelDetails uuid={uuid} path={path} /> : <p class="muted">Choose a model in the tree.</p>}
        </div>
      )}
    </section>
  );
}

function ModelTree({ uuid, selected }: { uuid: string; selected?: string }) {
  const listing = useLoad(async (api) => {
    const models: ModelPageJson['models'][number][] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TREE_PAGES; page++) {
      const answer = await api.get<ModelPageJson>(read(`${repositoryPath(uuid)}/models`), { limit: 200, cursor });
      models.push(...answer.models);
      if (!answer.nextCursor) return { models, complete: true };
      cursor = answer.nextCursor;
    }
    return { models, complete: false };
  }, `tree|${uuid}`);
  return (
    <nav class="model-tree" aria-label="Models by folder">
      <ErrorNotice error={listing.error} />
      {listing.data && listing.data.models.length === 0 && <p>No model replicated yet.</p>}
      {listing.data && <Folder folder={buildTree(listing.data.models.map((model) => model.path))} uuid={uuid} selected={selected} />}
      {listing.data && !listing.data.complete && (
        <p class="muted">Only the first {listing.data.models.length} models are shown; search to find others.</p>
      )}
    </nav>
  );
}

function Folder({ folder, uuid, selected }: { folder: TreeFolder; uuid: string; selected?: string }) {
  return (
    <ul role={folder.path ? 'group' : undefined}>
      {folder.folders.map((child) => (
        <li key={child.path}>
          <details open>
            <summary>{child.name}/</summary>
            <Folder folder={child} uuid={uuid} selected={selected} />
          </details>
        </li>
      ))}
      {folder.files.map((path) => (
        <li key={path}>
          <a href={href({ screen: 'models', uuid, path })} aria-current={path === selected ? 'page' : undefined}>
            {baseName(path)}
          </a>
        </li>
      ))}
    </ul>
  );
}

function ModelDetails({ uuid, path }: { uuid: string; path: string }) {
  const details = useLoad((api) => api.get<ModelDetailsJson>(read(`${repositoryPath(uuid)}/model`), { path }), `model|${uuid}|${path}`);
  const model = details.data?.model;
  return (
    <article class="model-details" aria-labelledby="model-title">
      <h2 id="model-title">{model?.modelName ?? baseName(path)}</h2>
      <ErrorNotice error={details.error} />
      {model && (
        <>
          <dl class="facts">
            <dt>Path</dt>
            <dd>
              <code>{model.path}</code>
            </dd>
            <dt>Status</dt>
            <dd>{model.status === 'invalid' ? `invalid: ${model.parseError ?? ''}` : model.status}</dd>
            <dt>Vendor</dt>
            <dd>{[model.dbVendor, model.dbVersion, model.appTarget && `(${model.appTarget})`].filter(Boolean).join(' ')}</dd>
            <dt>Commit</dt>
            <dd>
              <code>{shortCommit(model.commit)}</code> synced {shownTime(model.syncedAt)}
            </dd>
            <dt>Size</dt>
            <dd>{shownBytes(model.size)}</dd>
            <dt>SHA-256</dt>
            <dd>
              <code class="hash">{model.sha256 ?? ''}</code>
            </dd>
            {model.counts && (
              <>
                <dt>Contents</dt>
                <dd>
                  {model.counts.containers} containers, {model.counts.entities} entities, {model.counts.relationships} relationships,{' '}
                  {model.counts.views} views
                </dd>
              </>
            )}
          </dl>
          {model.status !== 'too-large' && <DownloadButton uuid={uuid} path={path} />}
          <h3>Entities</h3>
          {model.entityNames.length === 0 ? (
            <p>None.</p>
          ) : (
            <ul class="entity-list" aria-label="Entities">
              {model.entityNames.map((name) => (
                <li key={name}>{name}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </article>
  );
}

/**
 * Downloads the exact bytes through the admin API's client (the deployed console's bearer token cannot ride on a
 * plain link), in parts when over what one answer carries, checks their SHA-256, then hands them to the browser as
 * a file named like the model's.
 */
function DownloadButton({ uuid, path }: { uuid: string; path: string }) {
  const api = useApi();
  const action = useAction();
  const download = async () => {
    const downloaded = await action.run(() => downloadModel(api, read(`${repositoryPath(uuid)}/content`), { path }));
    if (!downloaded) return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(downloaded.blob);
    link.download = baseName(path);
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  };
  return (
    <>
      <button type="button" disabled={action.busy} onClick={() => void download()}>
        {action.busy ? 'Downloading…' : 'Download the exact bytes'}
      </button>
      <ErrorNotice error={action.error} />
    </>
  );
}

function SearchResults({ q, uuid }: { q: string; uuid?: string }) {
  const search = useLoad(
    (api) => api.get<SearchResultsJson>(read('/search'), { q, repository: uuid, limit: 50 }),
    `search|${q}|${uuid ?? ''}`,
  );
  const hits = search.data?.hits ?? [];
  return (
    <section aria-labelledby="search-title">
      <h2 id="search-title">Results for “{q}”</h2>
      <ErrorNotice error={search.error} />
      {search.data && hits.length === 0 && <p>Nothing matches.</p>}
      {search.data?.notIndexed ? (
        <p class="muted">{search.data.notIndexed} models have no search index yet: their next sync indexes them.</p>
      ) : null}
      <ul class="search-results" aria-label="Search results">
        {hits.map((hit, index) => (
          <li key={index}>
            <span class="badge">{hit.kind}</span> <strong>{hit.pathInModel.join(' › ') || hit.name}</strong>
            {hit.type && <span class="muted"> ({hit.type})</span>} in{' '}
            <a href={href({ screen: 'models', uuid: hit.repository.uuid, path: hit.model.path })}>
              {hit.model.name ?? baseName(hit.model.path)}
            </a>
            <span class="muted">
              {' '}
              · {hit.repository.fullName}/{hit.model.path}
            </span>
            {hit.description && <div class="muted">{hit.description}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}
