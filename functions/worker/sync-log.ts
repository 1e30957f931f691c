/** What the worker tells CloudWatch about one sync run: its metrics and the `sync finished` log line. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SyncRequestResult } from '../../shared/domain/sync/handle-sync-request';
import type { MetricsRecorder } from '../../shared/observability/metrics';

export function logSyncRun(result: SyncRequestResult, logger: Logger, metrics: MetricsRecorder): void {
  const report = result.report;
  metrics.addMetric('BitbucketApiCalls', MetricUnit.Count, result.apiCalls);
  if (report) metrics.addMetric('ModelsWritten', MetricUnit.Count, report.counts.added + report.counts.updated + report.counts.renamed);
  logger.info('sync finished', {
    outcome: result.outcome,
    branch: report?.branch,
    fromCommit: report?.fromCommit,
    toCommit: report?.toCommit,
    mode: report?.mode,
    fallbackReason: report?.fallbackReason,
    counts: report?.counts,
    opsRemaining: report?.opsRemaining,
    retryAfterMs: report?.retryAfterMs,
    apiCalls: result.apiCalls,
    bytesReceived: result.bytesReceived,
    durationMs: result.durationMs,
  });
}
