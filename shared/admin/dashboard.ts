// The admin panel's first screen in one read: is the provider set up, how the repositories stand, which one
// committed last, and the recent commit activity (sync runs that changed models).
import type { SyncRunEvent } from '../domain/logged-event';
import type { ActivityEntry, DashboardResponse } from './api-types';
import type { HubContext } from './hub-context';
import { describeRepository } from './repository-listing';

/** How many runs the activity shows. */
const ACTIVITY_SHOWN = 20;

/** The dashboard of the hub at `now`. */
export async function dashboard(context: HubContext, now: Date): Promise<DashboardResponse> {
  const [secret, repositories] = await Promise.all([context.secrets.readWebhookSecret(), context.repositories.listRepositories()]);
  const byStatus: Record<string, number> = {};
  const activity: ActivityEntry[] = [];
  for (const repository of repositories) {
    const [listing, events] = await Promise.all([
      describeRepository(context, repository, now),
      context.events.list({ repositoryUuid: repository.uuid, limit: 50 }),
    ]);
    byStatus[listing.status] = (byStatus[listing.status] ?? 0) + 1;
    for (const event of events)
      if (event.kind === 'sync' && committed(event as SyncRunEvent)) activity.push(activityOf(event as SyncRunEvent, repository));
  }
  activity.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  return {
    providers: {
      configured: secret?.current ? 1 : 0,
      bitbucketCloud: {
        secretSet: Boolean(secret?.current),
        rotationInProgress: Boolean(secret?.previous),
        webhookUrl: context.target.webhookUrl,
      },
    },
    repositories: { total: repositories.length, byStatus: byStatus as DashboardResponse['repositories']['byStatus'] },
    lastCommitted: activity[0] ?? null,
    recentActivity: activity.slice(0, ACTIVITY_SHOWN),
  };
}

/** A run that wrote model changes. */
function committed(run: SyncRunEvent): boolean {
  const counts = run.counts;
  return (
    (run.outcome === 'synced' || run.outcome === 'partial') &&
    counts !== undefined &&
    counts.added + counts.updated + counts.removed + counts.renamed > 0
  );
}

function activityOf(run: SyncRunEvent, repository: { uuid: string; fullName: string }): ActivityEntry {
  return {
    time: run.at,
    repository: run.repository?.fullName ?? repository.fullName,
    repositoryUuid: repository.uuid,
    outcome: run.outcome ?? null,
    branch: run.branch ?? null,
    fromCommit: run.fromCommit ?? null,
    toCommit: run.toCommit ?? null,
    counts: run.counts ? { ...run.counts } : null,
    requestUuid: run.requestUuid ?? null,
  };
}
