// One logger factory, so every function writes the same structured JSON and nothing sensitive is logged.
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';

/**
 * The structured JSON logger of one function (Powertools Logger). The service name comes from
 * `POWERTOOLS_SERVICE_NAME` and the level from `POWERTOOLS_LOG_LEVEL` of the function's environment when set.
 * Never log a webhook body or a secret.
 */
export function createLogger(serviceName: string, env: Readonly<Record<string, string | undefined>> = process.env): Logger {
  return new Logger({
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? serviceName,
    logLevel: env.POWERTOOLS_LOG_LEVEL as LogLevel | undefined,
  });
}
