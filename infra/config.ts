// The stack's deploy-time settings from CDK context, validated in one place with documented defaults.
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DEFAULT_BITBUCKET_API_URL } from '../shared/bitbucket/bitbucket-endpoints';
import { DEFAULT_GIT_MIN_CHANGED_MODELS } from '../shared/domain/sync/derive-plan';
import { ACCESS_CONTEXT_KEYS, readAccessConfig, type AccessConfig } from './access-config';

/** The CDK context keys this app reads (`-c key=value` or `context` in cdk.json). */
export const CONTEXT_KEYS = [
  'stackName',
  'alarmEmail',
  'reconcileMinutes',
  'verifySchedule',
  'logRetentionDays',
  'removalPolicy',
  'bitbucketApiUrl',
  'verifierReservedConcurrency',
  'gitMinChangedModels',
  // Authentication of the read and admin APIs, CORS (infra/access-config.ts).
  ...ACCESS_CONTEXT_KEYS,
] as const;

/** Default values used when a context key is not set. Documented in docs/DEPLOY.md. */
const CONFIG_DEFAULTS = {
  stackName: 'ModelHubSync',
  reconcileMinutes: 15,
  verifySchedule: 'rate(1 day)',
  // The minimum Control Tower accepts (CT.CLOUDWATCH.PR.2); the cost is in docs/DEPLOY.md.
  logRetentionDays: RetentionDays.ONE_YEAR,
  removalPolicy: 'retain',
  bitbucketApiUrl: DEFAULT_BITBUCKET_API_URL,
  verifierReservedConcurrency: 50,
  // Chosen by measurement: docs/BENCHMARKS.md, "REST vs git by changed models".
  gitMinChangedModels: DEFAULT_GIT_MIN_CHANGED_MODELS,
} as const;

/** Validated deployment configuration, derived from CDK context. */
export interface HubConfig extends AccessConfig {
  /** CloudFormation stack name; also prefixes the webhook secret, dashboard and saved queries. */
  readonly stackName: string;
  /** Address subscribed to the alarm topic; no topic is created when absent. */
  readonly alarmEmail?: string;
  /** Minutes between reconciliation runs. */
  readonly reconcileMinutes: number;
  /**
   * EventBridge schedule expression of the verification runs (every stored model compared with its repository's
   * head and repaired), or `undefined` when turned off (`none`).
   */
  readonly verifySchedule?: string;
  /** Retention of every log group the stack creates. */
  readonly logRetention: RetentionDays;
  /** Removal policy of the data tables (`retain` keeps them when the stack is deleted). */
  readonly removalPolicy: RemovalPolicy;
  /** Base URL of the Bitbucket Cloud REST API. */
  readonly bitbucketApiUrl: string;
  /** Reserved concurrency of the verifier, or `undefined` to draw from the unreserved pool. */
  readonly verifierReservedConcurrency?: number;
  /** A push whose diff plans more model changes than this is read with one git fetch instead of one REST download each. */
  readonly gitMinChangedModels: number;
}

/** Thrown for a context value that cannot be used; the message names the key and what is accepted. */
export class ModelHubConfigError extends Error {
  constructor(key: string, value: unknown, expected: string) {
    super(`Invalid CDK context value for "${key}": ${JSON.stringify(value)}. Expected ${expected}.`);
    this.name = 'ModelHubConfigError';
  }
}

/** CloudWatch Logs' retention periods of at least a year: Control Tower (CT.CLOUDWATCH.PR.2) rejects shorter ones. */
const VALID_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (v): v is number => typeof v === 'number' && v !== RetentionDays.INFINITE && v >= RetentionDays.ONE_YEAR,
);

/**
 * Reads and validates the app's context. Values may arrive as strings (`-c key=value` on the command line)
 * or as JSON values (cdk.json), so both forms are accepted. Throws {@link ModelHubConfigError} for a bad value so that
 * `cdk synth` fails before anything is deployed.
 */
export function readHubConfig(scope: Construct): HubConfig {
  const get = (key: (typeof CONTEXT_KEYS)[number]): unknown => {
    const value: unknown = scope.node.tryGetContext(key);
    // An empty string is how a shell passes "unset" (`-c alarmEmail=`); treat it as absent.
    return value === '' || value === null ? undefined : value;
  };

  const stackName = str(get('stackName')) ?? CONFIG_DEFAULTS.stackName;
  // CloudFormation's own rule; checking here gives a clear message instead of a failed deploy.
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
    throw new ModelHubConfigError(
      'stackName',
      get('stackName'),
      'a CloudFormation stack name (letters, digits, hyphens; starting with a letter; at most 128 characters)',
    );
  }

  const alarmEmailRaw = get('alarmEmail');
  const alarmEmail = str(alarmEmailRaw);
  if (alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail)) {
    throw new ModelHubConfigError('alarmEmail', alarmEmailRaw, 'an email address such as ops@example.com');
  }

  const reconcileMinutes = int(get('reconcileMinutes')) ?? CONFIG_DEFAULTS.reconcileMinutes;
  if (!Number.isInteger(reconcileMinutes) || reconcileMinutes < 1 || reconcileMinutes > 1440) {
    throw new ModelHubConfigError('reconcileMinutes', get('reconcileMinutes'), 'a whole number of minutes from 1 to 1440');
  }

  const verifyScheduleRaw = get('verifySchedule') ?? CONFIG_DEFAULTS.verifySchedule;
  const verifySchedule = verifyScheduleRaw === 'none' ? undefined : scheduleExpression(verifyScheduleRaw);
  if (verifySchedule === null) {
    throw new ModelHubConfigError(
      'verifySchedule',
      verifyScheduleRaw,
      'an EventBridge schedule expression such as "rate(1 day)", "rate(12 hours)" or "cron(0 3 * * ? *)" (six fields, "?" in ' +
        'day-of-month or day-of-week), or "none" to turn scheduled verification off',
    );
  }

  const logRetentionDays = int(get('logRetentionDays')) ?? CONFIG_DEFAULTS.logRetentionDays;
  if (!VALID_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new ModelHubConfigError(
      'logRetentionDays',
      get('logRetentionDays'),
      `one of CloudWatch Logs' retention periods of at least a year (Control Tower's minimum): ${VALID_RETENTION_DAYS.join(', ')}`,
    );
  }

  const removalPolicyRaw = get('removalPolicy') ?? CONFIG_DEFAULTS.removalPolicy;
  if (removalPolicyRaw !== 'retain' && removalPolicyRaw !== 'destroy') {
    throw new ModelHubConfigError('removalPolicy', removalPolicyRaw, '"retain" or "destroy"');
  }

  const bitbucketApiUrl = str(get('bitbucketApiUrl')) ?? CONFIG_DEFAULTS.bitbucketApiUrl;
  if (!isHttpsUrl(bitbucketApiUrl)) {
    throw new ModelHubConfigError('bitbucketApiUrl', get('bitbucketApiUrl'), 'an https:// URL such as https://api.bitbucket.org/2.0');
  }

  const verifierReservedConcurrency = readVerifierReservedConcurrency(get('verifierReservedConcurrency'));

  const gitMinChangedModels = int(get('gitMinChangedModels')) ?? CONFIG_DEFAULTS.gitMinChangedModels;
  // The worker accepts the same range (GIT_MIN_CHANGED_MODELS); 0 reads every non-empty diff over git.
  if (!Number.isInteger(gitMinChangedModels) || gitMinChangedModels < 0 || gitMinChangedModels > 1_000_000) {
    throw new ModelHubConfigError('gitMinChangedModels', get('gitMinChangedModels'), 'a whole number of models from 0 to 1000000');
  }

  return {
    stackName,
    alarmEmail,
    reconcileMinutes,
    verifySchedule,
    logRetention: logRetentionDays as RetentionDays,
    removalPolicy: removalPolicyRaw === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    bitbucketApiUrl: bitbucketApiUrl.replace(/\/+$/, ''),
    verifierReservedConcurrency,
    gitMinChangedModels,
    ...readAccessConfig(get),
  };
}

/** `verifierReservedConcurrency`: a whole number from 1 to 1000, `none` for no reservation, or the default. */
function readVerifierReservedConcurrency(raw: unknown): number | undefined {
  if (raw === 'none') return undefined;
  if (raw === undefined) return CONFIG_DEFAULTS.verifierReservedConcurrency;
  const concurrency = int(raw);
  // 0 would disable the function entirely (Lambda throttles every call), which is never what a caller wants.
  if (concurrency === undefined || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    throw new ModelHubConfigError(
      'verifierReservedConcurrency',
      raw,
      'a whole number from 1 to 1000, or "none" to not reserve concurrency',
    );
  }
  return concurrency;
}

function str(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  // A non-string becomes '' so that the caller's format check rejects it instead of silently using the default.
  return typeof value === 'string' ? value.trim() : '';
}

/** Numbers from cdk.json arrive as numbers, from `-c` as strings; anything else yields NaN so the caller rejects it. */
function int(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return Number.NaN;
}

/**
 * An EventBridge schedule expression, normalized (`rate(1 days)` is refused by EventBridge: the unit is singular for
 * 1 and plural otherwise), or null when the value is none.
 */
function scheduleExpression(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const rate = /^rate\(\s*(\d+)\s+(minute|hour|day)s?\s*\)$/.exec(text);
  if (rate) {
    const amount = Number(rate[1]);
    return amount >= 1 ? `rate(${amount} ${rate[2]}${amount === 1 ? '' : 's'})` : null;
  }
  const cron = /^cron\((.*)\)$/.exec(text);
  const fields = cron?.[1]!.trim().split(/\s+/) ?? [];
  // minutes hours day-of-month month day-of-week year; EventBridge wants "?" in exactly one of the two day fields.
  if (fields.length !== 6 || (fields[2] === '?') === (fields[4] === '?')) return null;
  return `cron(${fields.join(' ')})`;
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
