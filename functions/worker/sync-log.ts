/** What the worker tells CloudWatch about each message and sync run: the log context, outcome lines and metrics. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SyncRequestResult } from '../../shared/domain/sync/handle-sync-request';
import type { SyncMessageOutcome } from '../../shared/domain/sync/process-sync-batch';
import type { SyncRequest } from '../../shared/domain/sync-request';
import type { MetricsRecorder } from '../../shared/observability/metrics';

export function logSyncRun(result: SyncRequestResult, logger: Logger, metrics: MetricsRecorder): void {
  const report = result.report;
  metrics.addMetric('BitbucketApiCalls', MetricUnit.Count, result.apiCalls);
  metrics.addMetric('BitbucketGitRequests', MetricUnit.Count, result.gitRequests);
  // One count per transport, so a dashboard shows how often git is used and how often it falls back.
  if (report?.transport) metrics.addMetric(report.transport === 'git' ? 'SyncsOverGit' : 'SyncsOverRest', MetricUnit.Count, 1);
  if (report?.transportFallback) metrics.addMetric('GitFallbacks', MetricUnit.Count, 1);
  if (report) metrics.addMetric('ModelsWritten', MetricUnit.Count, report.counts.added + report.counts.updated + report.counts.renamed);
  const verification = report?.verification;
  // Only a comparison gives a datapoint: 0 when it found nothing (the alarm returns to OK), none when it could not compare.
  if (verification && verification.status !== 'not-verified')
    metrics.addMetric('ReplicaDrift', MetricUnit.Count, verification.drift?.count ?? 0);
  logger.info('sync finished', {
    outcome: result.outcome,
    branch: report?.branch,
    fromCommit: report?.fromCommit,
    toCommit: report?.toCommit,
    mode: report?.mode,
    fallbackReason: report?.fallbackReason,
    transport: report?.transport,
    transportFallback: report?.transportFallback,
    hubignoreNotice: report?.hubignoreNotice,
    counts: report?.counts,
    opsRemaining: report?.opsRemaining,
    retryAfterMs: report?.retryAfterMs,
    apiCalls: result.apiCalls,
    gitRequests: result.gitRequests,
    bytesReceived: result.bytesReceived,
    durationMs: result.durationMs,
    ...(verification
      ? {
          verification: verification.status,
          verifiedCommit: verification.commit,
          verifiedVia: verification.via,
          verifiedModels: verification.models,
          driftCount: verification.drift?.count ?? 0,
          driftPaths: verification.drift?.paths,
          repaired: verification.repaired,
          backfilled: verification.backfilled,
          uncompared: verification.uncompared,
          notVerifiedReason: verification.reason,
        }
      : {}),
  });
}

/** Tags every log line about one message with its correlation id, repository, trigger and receive count. */
export function setMessageLogContext(logger: Logger, request: SyncRequest, receiveCount: string | undefined): void {
  logger.resetKeys();
  logger.setCorrelationId(request.requestUuid);
  logger.appendKeys({
    repository: request.repository.fullName,
    repositoryUuid: request.repository.uuid,
    trigger: request.trigger,
    receiveCount,
  });
}

/** Logs how one message ended; a failure is also counted (the caller rethrows it, so the message is retried). */
export function logSyncOutcome(outcome: SyncMessageOutcome, logger: Logger, metrics: MetricsRecorder): void {
  if (outcome.kind === 'skipped') logger.info(`sync skipped: repository already ${outcome.already} in this batch`);
  if (outcome.kind === 'postponed') logger.info('sync postponed: the invocation is about to time out');
  if (outcome.kind === 'ran') logSyncRun(outcome.result, logger, metrics);
  if (outcome.kind !== 'failed') return;
  metrics.addMetric('SyncFailures', MetricUnit.Count, 1);
  logger.error('sync failed; the message will be retried', outcome.error as Error);
}
