import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The structured JSON logger of one function (Powertools Logger). The service name comes from
 * `POWERTOOLS_SERVICE_NAME` when set. Never log a webhook body or a secret.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
}
