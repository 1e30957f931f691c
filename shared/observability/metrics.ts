// One metrics factory, so every function publishes to the same CloudWatch namespace and local runs can drop them.
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricUnit } from '@aws-lambda-powertools/metrics/types';

/** What a function records: CloudWatch metrics (EMF lines on stdout), published once per invocation. */
export interface MetricsRecorder {
  addMetric(name: string, unit: MetricUnit, value: number): void;
  publishStoredMetrics(): void;
}

/**
 * The metrics of one function (Powertools Metrics), namespace and service from its environment. Powertools reads
 * `POWERTOOLS_METRICS_DISABLED` only from `process.env`, so a function environment that disables metrics (the
 * local runtime's) gets a recorder that drops them.
 */
export function createMetrics(serviceName: string, env: Readonly<Record<string, string | undefined>> = process.env): MetricsRecorder {
  if (env !== process.env && /^(1|true|yes|on)$/i.test(env.POWERTOOLS_METRICS_DISABLED ?? ''))
    return { addMetric: () => undefined, publishStoredMetrics: () => undefined };
  return new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? 'ModelHub',
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? serviceName,
  });
}
