// The add flow: type the workspace, see its repositories (filtered as you type), tick several, add them with one
// access token, and watch each initial sync. The token goes to the hub in a request body only, is never kept by
// the page (not in the address, not in storage), and the hub never sends it back.
import { useMemo, useState } from 'preact/hooks';
import type { AddRepositoriesResponse, WorkspaceCandidate, WorkspaceRepositoriesResponse } from '../../shared/admin/api-types';
import { ErrorNotice, Messages } from '../components/error-notice';
import { SyncProgress } from '../components/sync-progress';
import { useAction, useApi } from '../hooks';
import { href } from '../router';
import { followSync } from '../sync-tracker';

/** The candidates whose name contains every word of the filter (case-insensitive). */
export function filterCandidates(candidates: readonly WorkspaceCandidate[], filter: string): WorkspaceCandidate[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  return candidates.filter((candidate) => words.every((word) => `${candidate.fullName} ${candidate.name}`.toLowerCase().includes(word)));
}

/** The add flow's state: the token and workspace typed, the listing, the ticked repositories, what adding answered. */
function useAddFlow() {
  const api = useApi();
  const listing = useAction();
  const adding = useAction();
  const [token, setToken] = useState('');
  const [candidates, setCandidates] = useState<WorkspaceRepositoriesResponse | undefined>(undefined);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [added, setAdded] = useState<AddRepositoriesResponse | undefined>(undefined);

  const list = async (workspace: string) => {
    setCandidates(undefined);
    setPicked(new Set());
    setAdded(undefined);
    const answer = await listing.run(() => api.post<WorkspaceRepositoriesResponse>('/workspace-repositories', { workspace, token }));
    if (answer) setCandidates(answer);
  };

  const add = async (options: { pattern: string; createWebhook: boolean }) => {
    const answer = await adding.run(() =>
      api.post<AddRepositoriesResponse>('/repositories', {
        repositories: [...picked],
        token,
        pattern: options.pattern.trim() || undefined,
        createWebhook: options.createWebhook,
      }),
    );
    if (!answer) return;
    const startedAt = new Date().toISOString();
    for (const result of answer.results) {
      if (result.uuid && result.sync)
        followSync({
          uuid: result.uuid,
          repository: result.repository,
          requestUuid: result.sync.requestUuid,
          action: 'Initial sync',
          startedAt,
        });
    }
    setAdded(answer);
    setPicked(new Set());
  };

  const toggle = (fullName: string, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(fullName);
    else next.delete(fullName);
    setPicked(next);
  };

  return { token, setToken, candidates, picked, added, listing, adding, list, add, toggle };
}

export function AddRepositories({ embedded = false }: { embedded?: boolean }) {
  const flow = useAddFlow();
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => filterCandidates(flow.candidates?.repositories ?? [], filter), [flow.candidates, filter]);
  const Heading = embedded ? 'h2' : 'h1';
  return (
    <section aria-labelledby="add-title">
      <Heading id="add-title">Add repositories</Heading>
      <ListForm token={flow.token} onToken={flow.setToken} busy={flow.listing.busy} onList={(workspace) => void flow.list(workspace)} />
      <ErrorNotice error={flow.listing.error} />
      {flow.candidates && (
        <>
          <CandidateList
            candidates={flow.candidates}
            shown={shown}
            filter={filter}
            onFilter={setFilter}
            picked={flow.picked}
            onToggle={flow.toggle}
          />
          <AddForm count={flow.picked.size} busy={flow.adding.busy} onAdd={(options) => void flow.add(options)} />
        </>
      )}
      <ErrorNotice error={flow.adding.error} />
      {flow.added && <AddResults answer={flow.added} />}
    </section>
  );
}

function ListForm({
  token,
  onToken,
  busy,
  onList,
}: {
  token: string;
  onToken: (token: string) => void;
  busy: boolean;
  onList: (workspace: string) => void;
}) {
  const [workspace, setWorkspace] = useState('');
  return (
    <form
      class="form-grid"
      onSubmit={(event) => {
        event.preventDefault();
        onList(workspace.trim());
      }}
    >
      <label for="access-token">Bitbucket access token</label>
      <div>
        <input
          id="access-token"
          type="password"
          value={token}
          onInput={(event) => onToken(event.currentTarget.value)}
          autocomplete="off"
          required
        />
        <p class="field-hint">
          A repository, project or workspace access token with the scopes <code>repository</code> and <code>webhook</code>. Stored once in
          the hub’s secret store; never shown again.
        </p>
      </div>
      <label for="workspace">Workspace</label>
      <div class="inline-field">
        <input
          id="workspace"
          value={workspace}
          onInput={(event) => setWorkspace(event.currentTarget.value)}
          autocomplete="off"
          spellcheck={false}
          required
          placeholder="acme"
        />
        <button type="submit" disabled={busy || !workspace.trim() || !token}>
          {busy ? 'Listing…' : 'List repositories'}
        </button>
      </div>
    </form>
  );
}

function AddForm({
  count,
  busy,
  onAdd,
}: {
  count: number;
  busy: boolean;
  onAdd: (options: { pattern: string; createWebhook: boolean }) => void;
}) {
  const [pattern, setPattern] = useState('*.hck.json');
  const [createWebhook, setCreateWebhook] = useState(true);
  return (
    <form
      class="form-grid"
      onSubmit={(event) => {
        event.preventDefault();
        onAdd({ pattern, createWebhook });
      }}
    >
      <label for="model-pattern">Model files</label>
      <input id="model-pattern" value={pattern} onInput={(event) => setPattern(event.currentTarget.value)} spellcheck={false} />
      <span />
      <label class="checkbox">
        <input type="checkbox" checked={createWebhook} onChange={(event) => setCreateWebhook(event.currentTarget.checked)} /> Create each
        repository’s webhook to the hub
      </label>
      <span />
      <button type="submit" class="primary" disabled={count === 0 || busy}>
        {busy ? 'Adding…' : `Add ${count} ${count === 1 ? 'repository' : 'repositories'}`}
      </button>
    </form>
  );
}

function CandidateList(props: {
  candidates: WorkspaceRepositoriesResponse;
  shown: readonly WorkspaceCandidate[];
  filter: string;
  onFilter: (filter: string) => void;
  picked: ReadonlySet<string>;
  onToggle: (fullName: string, on: boolean) => void;
}) {
  const { candidates, shown } = props;
  return (
    <fieldset class="candidates">
      <legend>
        Repositories of {candidates.workspace} ({candidates.repositories.length})
      </legend>
      <label for="candidate-filter">Filter</label>
      <input
        id="candidate-filter"
        type="search"
        value={props.filter}
        onInput={(event) => props.onFilter(event.currentTarget.value)}
        placeholder="type part of a name"
      />
      <Messages messages={candidates.messages} label="What Bitbucket said" />
      <ul class="candidate-list" aria-label={`Repositories of ${candidates.workspace}`}>
        {shown.map((candidate) => (
          <li key={candidate.uuid}>
            <label class="checkbox">
              <input
                type="checkbox"
                disabled={candidate.added}
                checked={candidate.added || props.picked.has(candidate.fullName)}
                onChange={(event) => props.onToggle(candidate.fullName, event.currentTarget.checked)}
              />{' '}
              {candidate.fullName}
              {candidate.mainBranch && <span class="muted"> · {candidate.mainBranch}</span>}
              {candidate.added && <span class="badge"> added</span>}
            </label>
          </li>
        ))}
      </ul>
      {shown.length === 0 && (
        <p>
          No repository of {candidates.workspace} matches “{props.filter}”.
        </p>
      )}
    </fieldset>
  );
}

function AddResults({ answer }: { answer: AddRepositoriesResponse }) {
  return (
    <section aria-labelledby="add-results-title">
      <h2 id="add-results-title">Added</h2>
      <ul class="sync-list">
        {answer.results.map((result) =>
          result.result === 'added' && result.uuid && result.sync ? (
            <SyncProgress
              key={result.repository}
              sync={{
                uuid: result.uuid,
                repository: result.repository,
                requestUuid: result.sync.requestUuid,
                action: 'Initial sync',
                startedAt: '',
              }}
            />
          ) : (
            <li key={result.repository} class={`sync sync-${result.result}`}>
              <strong>{result.repository}</strong> ·{' '}
              {result.result === 'already-added' ? 'already added (skipped; replace its token on its page)' : 'failed'}
              <ErrorNotice error={result.error} />
            </li>
          ),
        )}
      </ul>
      <Messages messages={answer.messages} label="What the hub did" />
      <a href={href({ screen: 'repositories' })}>See all repositories</a>
    </section>
  );
}
