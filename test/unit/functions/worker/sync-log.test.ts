/**
 * The worker's `sync finished` line and metrics for a verification run: the verification's outcome fields, and a
 * ReplicaDrift datapoint only when the run compared (0 for no drift, so the alarm returns to OK).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { logSyncRun } from '../../../../functions/worker/sync-log';
import type { SyncRequestResult } from '../../../../shared/domain/sync/handle-sync-request';
import type { VerificationReport } from '../../../../shared/domain/sync/sync-types';
import type { MetricsRecorder } from '../../../../shared/observability/metrics';

const counts = { added: 0, updated: 0, removed: 0, renamed: 0, invalid: 0, tooLarge: 0, missing: 0, skipped: 0 };

function run(verification?: VerificationReport) {
  const lines: Array<{ message: string; fields: Record<string, unknown> }> = [];
  const metrics: Record<string, number> = {};
  const logger = { info: (message: string, fields: Record<string, unknown>) => lines.push({ message, fields }) } as unknown as Logger;
  const recorder: MetricsRecorder = {
    addMetric: (name, _unit, value) => void (metrics[name] = value),
    publishStoredMetrics: () => undefined,
  };
  const result: SyncRequestResult = {
    outcome: 'up-to-date',
    report: { outcome: 'up-to-date', fromCommit: 'c1', toCommit: 'c1', counts, opsApplied: 0, opsRemaining: 0, verification },
    apiCalls: 2,
    gitRequests: 2,
    bytesReceived: 100,
    durationMs: 5,
  };
  logSyncRun(result, logger, recorder);
  return { line: lines[0]!, metrics };
}

describe('sync finished, for verifications', () => {
  it('logs the drift found and repaired, and counts it in ReplicaDrift', () => {
    const drift = { count: 2, changed: 1, missing: 1, extra: 0, misplaced: 0, corrupt: 0, paths: ['a.hck.json', 'b.hck.json'] };
    const { line, metrics } = run({
      status: 'drift',
      commit: 'c1',
      via: 'git',
      models: 9,
      drift,
      backfilled: 1,
      repaired: 3,
      uncompared: 0,
    });
    expect(line.message).toBe('sync finished');
    expect(line.fields).toMatchObject({
      verification: 'drift',
      verifiedCommit: 'c1',
      verifiedVia: 'git',
      verifiedModels: 9,
      driftCount: 2,
      driftPaths: ['a.hck.json', 'b.hck.json'],
      repaired: 3,
      backfilled: 1,
    });
    expect(metrics.ReplicaDrift).toBe(2);
  });

  it('records 0 for no drift, and no datapoint (with the reason logged) when it could not compare', () => {
    expect(run({ status: 'no-drift', models: 3, backfilled: 0, repaired: 0, uncompared: 0 }).metrics.ReplicaDrift).toBe(0);
    const notVerified = run({ status: 'not-verified', reason: 'git unavailable', models: 0, backfilled: 0, repaired: 0, uncompared: 0 });
    expect(notVerified.metrics).not.toHaveProperty('ReplicaDrift');
    expect(notVerified.line.fields).toMatchObject({ verification: 'not-verified', notVerifiedReason: 'git unavailable' });
    expect(run().line.fields).not.toHaveProperty('verification');
  });
});
