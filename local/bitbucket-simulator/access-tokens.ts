/**
 * Which bearer token may do what in the simulator: each repository's own access token, plus workspace access
 * tokens that cover every repository of a workspace (Bitbucket's project and workspace tokens, Premium).
 */
import { randomBytes } from 'node:crypto';
import type { RepositoryState } from './repository-state';
import type { SimulatedAccessToken } from './simulator-types';

/** The workspace tokens handed out so far; repository tokens live on their repositories. */
export class AccessTokens {
  private readonly workspaceTokens: SimulatedAccessToken[] = [];

  /** Hands out a token covering every repository of `workspace`, those created later included. */
  createWorkspaceToken(workspace: string, options: { token?: string; scopes?: readonly string[] } = {}): SimulatedAccessToken {
    if (!workspace || workspace.includes('/')) throw new Error(`workspace must be a single name, got ${JSON.stringify(workspace)}`);
    const token: SimulatedAccessToken = {
      token: options.token ?? randomBytes(24).toString('base64url'),
      workspace,
      scopes: [...(options.scopes ?? ['repository', 'webhook'])],
    };
    this.workspaceTokens.push(token);
    return token;
  }

  /** The scopes the request's bearer token grants on `repo`; undefined when it is no token of that repository. */
  grantOn(authorization: string | undefined, repo: RepositoryState): readonly string[] | undefined {
    const bearer = bearerOf(authorization);
    return bearer === undefined ? undefined : this.scopesOf(bearer, repo);
  }

  /** The scopes `token` grants on `repo` (over the API or git); undefined when it is no token of that repository. */
  scopesOf(token: string, repo: RepositoryState): readonly string[] | undefined {
    if (token === repo.token) return repo.scopes;
    const workspace = repo.fullName.split('/')[0];
    return this.workspaceTokens.find((candidate) => candidate.token === token && candidate.workspace === workspace)?.scopes;
  }

  /** Whether the bearer token is any token the simulator handed out (else Bitbucket answers 401). */
  isKnown(authorization: string | undefined, repositories: Iterable<RepositoryState>): boolean {
    const bearer = bearerOf(authorization);
    if (bearer === undefined) return false;
    if (this.workspaceTokens.some((candidate) => candidate.token === bearer)) return true;
    for (const repo of repositories) if (repo.token === bearer) return true;
    return false;
  }
}

function bearerOf(authorization: string | undefined): string | undefined {
  const match = /^Bearer (\S+)$/.exec(authorization ?? '');
  return match?.[1];
}
