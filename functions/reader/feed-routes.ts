/**
 * The read API's search and changes routes: entity search (shared/domain/read/search-entities.ts) and the changes
 * feed (changes-since.ts), their own errors translated into the read API's, and their pages named like the others.
 */
import { changesSince, InvalidChangesQueryError } from '../../shared/domain/read/changes-since';
import { ReadError } from '../../shared/domain/read/errors';
import type { ReadPorts } from '../../shared/domain/read/ports';
import { normalizeRepositoryUuid } from '../../shared/domain/read/repositories';
import { searchEntities, SearchInputError, type EntityKind, type NameMatch } from '../../shared/domain/read/search-entities';
import { numberParameter, onlyParameters, type ReadRequest } from './http-request';

/** `GET /search?q=&match=&repository=&type=&target=&limit=&cursor=`. */
export async function searchRoute(request: ReadRequest, ports: ReadPorts): Promise<{ json: Record<string, unknown> }> {
  onlyParameters(request, ['q', 'match', 'repository', 'type', 'target', 'limit', 'cursor']);
  const { query } = request;
  const repository = query.get('repository');
  const result = await translated(() =>
    searchEntities(available(ports.search, 'search'), {
      q: query.get('q') ?? '',
      match: query.get('match') as NameMatch | undefined,
      repository: repository === undefined ? undefined : normalizeRepositoryUuid(repository),
      type: query.get('type') as EntityKind | undefined,
      target: query.get('target'),
      limit: numberParameter(request, 'limit'),
      cursor: query.get('cursor'),
    }),
  );
  const { cursor, ...rest } = result;
  return { json: { ...rest, nextCursor: cursor ?? null } };
}

/** `GET /changes?cursor=&limit=`. */
export async function changesRoute(request: ReadRequest, ports: ReadPorts): Promise<{ json: Record<string, unknown> }> {
  onlyParameters(request, ['cursor', 'limit']);
  const feed = available(ports.changes, 'changes');
  const page = await translated(() =>
    changesSince(request.query.get('cursor'), numberParameter(request, 'limit'), { feed, ...(ports.now ? { now: ports.now } : {}) }),
  );
  return { json: { ...page } };
}

/** The use case's answer, its input errors as the read API's `invalid-request`. */
async function translated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SearchInputError || error instanceof InvalidChangesQueryError)
      throw new ReadError('invalid-request', 'invalid-parameter', error.message, error.hint);
    throw error;
  }
}

function available<T>(port: T | undefined, name: string): T {
  if (port === undefined)
    throw new ReadError(
      'unavailable',
      `${name}-unavailable`,
      `this hub does not serve ${name} yet`,
      'ask the hub admin to deploy the current version',
    );
  return port;
}
