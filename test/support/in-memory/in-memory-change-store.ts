// The change store in memory (intents, open commits, the feed), held to the same contract as the DynamoDB adapter.
import type { FeedRecord } from '../../../shared/domain/changes/change-records';
import type { ChangeFeed, ChangeIntent, ChangeLog, ChangeScope, OpenCommit } from '../../../shared/domain/changes/ports';

const scopeKey = (scope: ChangeScope) => `${scope.repositoryUuid}#${scope.generation ?? ''}`;

export class InMemoryChangeStore implements ChangeLog, ChangeFeed {
  readonly intents = new Map<string, Map<string, ChangeIntent>>();
  readonly open = new Map<string, string>();
  readonly feed = new Map<string, FeedRecord>();

  async recordIntent(scope: ChangeScope, intent: ChangeIntent): Promise<void> {
    const pending = this.intents.get(scopeKey(scope)) ?? new Map<string, ChangeIntent>();
    this.intents.set(scopeKey(scope), pending);
    if (!pending.has(intent.path)) pending.set(intent.path, structuredClone(intent));
  }

  async pendingIntents(scope: ChangeScope): Promise<ChangeIntent[]> {
    return [...(this.intents.get(scopeKey(scope))?.values() ?? [])].map((intent) => structuredClone(intent));
  }

  async clearIntents(scope: ChangeScope, paths: readonly string[]): Promise<void> {
    for (const path of paths) this.intents.get(scopeKey(scope))?.delete(path);
  }

  async openCommit(scope: ChangeScope, startedAt: string): Promise<void> {
    this.open.set(scopeKey(scope), startedAt);
  }

  async closeCommit(scope: ChangeScope): Promise<void> {
    this.open.delete(scopeKey(scope));
  }

  async append(records: readonly FeedRecord[]): Promise<void> {
    for (const record of records) this.feed.set(record.position, structuredClone(record));
  }

  async readFeed(range: { after?: string; before: string; limit: number }): Promise<FeedRecord[]> {
    return [...this.feed.values()]
      .filter((record) => (range.after === undefined || record.position > range.after) && record.position < range.before)
      .sort((a, b) => (a.position < b.position ? -1 : 1))
      .slice(0, range.limit)
      .map((record) => structuredClone(record));
  }

  async openCommits(): Promise<OpenCommit[]> {
    return [...this.open].map(([scope, startedAt]) => ({ scope, startedAt }));
  }
}
