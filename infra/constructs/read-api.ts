// The read side of the hub on the stack's HTTP API: the reader function behind `GET|HEAD /gateway/api/v1/{proxy+}`,
// authenticated on every route (AWS IAM by default, a JWT authorizer when configured), throttled, with CORS only
// when origins are configured, and the managed policy a reader attaches to call it.
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { JwtSettings } from '../access-config';
import type { DataTables } from './data-tables';
import { NodeFunction } from './node-function';
import { RoleInvokedLambdaIntegration } from './role-invoked-lambda-integration';
import { throttleRoutes, type RouteThrottle } from './route-throttle';
import { grantModelsIndexQueries, grantTableAccess, MODELS_INDEX_QUERIES, TABLE_ACCESS } from './table-access';

/** Base path of the read API; the reader function serves everything under it. */
export const READ_API_BASE_PATH = '/gateway/api/v1';

/** The read methods: GET, and HEAD for a model's headers (ETag, length) without its bytes. */
export const READ_METHODS = [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.HEAD] as const;

/** Headers a browser may send and read cross-origin (only when `corsOrigins` is set): SigV4, JWT and conditional/ranged reads. */
const CORS_ALLOW_HEADERS = [
  'authorization',
  'content-type',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'if-none-match',
  'range',
];
const CORS_EXPOSE_HEADERS = ['etag', 'content-encoding', 'content-range', 'accept-ranges', 'content-length'];

/** Properties of {@link ReadApi}. */
export interface ReadApiProps {
  /** The stack's HTTP API (see WebhookIngest). */
  readonly api: apigwv2.HttpApi;
  /** Its `$default` stage, which carries the route throttling. */
  readonly stage: apigwv2.HttpStage;
  /** The hub's tables; the reader only reads them. */
  readonly tables: DataTables;
  /** Absolute path of the reader's entry file. */
  readonly entry: string;
  /** Repository root, for bundling. */
  readonly projectRoot: string;
  /**
   * A JWT authorizer for the read routes instead of AWS IAM; with it no reader policy is created (callers present
   * tokens, not IAM credentials).
   * @default - AWS IAM (SigV4)
   */
  readonly jwt?: JwtSettings;
  /**
   * Browser origins allowed to call the API cross-origin. CORS is an API-wide setting of an HTTP API.
   * @default - none: no CORS configuration at all
   */
  readonly corsOrigins?: readonly string[];
  /**
   * Throttling of each read route.
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly throttle?: RouteThrottle;
  /**
   * Memory of the reader. Model bodies up to 32 MB may be decompressed to serve a byte range.
   * @default 1024
   */
  readonly memorySize?: number;
  /** Retention of the reader's log group. */
  readonly logRetention?: logs.RetentionDays;
  /** KMS key that encrypts the reader's log group (see `createLogEncryptionKey`). */
  readonly logEncryptionKey?: kms.IKey;
}

/** The read API: reader function, its authenticated and throttled route, and (with IAM) the reader policy. */
export class ReadApi extends Construct {
  /** The reader function. */
  public readonly reader: NodeFunction;
  /** The read routes (GET and HEAD). */
  public readonly routes: apigwv2.HttpRoute[];
  /** Managed policy allowing execute-api:Invoke on exactly the read routes; undefined with a JWT authorizer. */
  public readonly readerPolicy?: iam.ManagedPolicy;
  /** Base URL of the read API (no trailing slash). */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ReadApiProps) {
    super(scope, id);
    const tables = props.tables;
    this.reader = new NodeFunction(this, 'Reader', {
      description: 'Serves the read API: repositories, models, exact model bytes, search and changes',
      entry: props.entry,
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
      logEncryptionKey: props.logEncryptionKey,
      memorySize: props.memorySize ?? 1024,
      // The HTTP API waits at most 30 s for an integration.
      timeout: Duration.seconds(29),
      environment: {
        ...tables.environmentFor(tables.models, tables.repositories, tables.events, tables.changes),
        POWERTOOLS_SERVICE_NAME: 'model-hub-reader',
      },
    });
    grantTableAccess(tables, this.reader.role, TABLE_ACCESS.reader);
    grantModelsIndexQueries(tables, this.reader.role, MODELS_INDEX_QUERIES.reader);

    const authorizer = props.jwt
      ? new HttpJwtAuthorizer('ReadJwtAuthorizer', props.jwt.issuer, { jwtAudience: [...props.jwt.audience] })
      : new HttpIamAuthorizer();
    this.routes = props.api.addRoutes({
      path: `${READ_API_BASE_PATH}/{proxy+}`,
      methods: [...READ_METHODS],
      integration: new RoleInvokedLambdaIntegration('ReaderIntegration', this.reader.function),
      authorizer,
    });
    throttleRoutes(props.stage, this.routes, props.throttle ?? { rateLimit: 50, burstLimit: 100 });
    if (props.corsOrigins && props.corsOrigins.length > 0) allowCors(props.api, props.corsOrigins);
    if (!props.jwt) this.readerPolicy = this.createReaderPolicy(props.api);
    this.url = `${props.stage.url}${READ_API_BASE_PATH.slice(1)}`;
  }

  /** execute-api:Invoke on `GET|HEAD /gateway/api/v1/*` of this API's `$default` stage, and nothing else. */
  private createReaderPolicy(api: apigwv2.HttpApi): iam.ManagedPolicy {
    const resources = READ_METHODS.map((method) => api.arnForExecuteApi(method, `${READ_API_BASE_PATH}/*`, '$default'));
    const policy = new iam.ManagedPolicy(this, 'ReaderPolicy', {
      managedPolicyName: `${Stack.of(this).stackName}-model-reader`,
      description: 'Lets a principal call the model hub read API (GET and HEAD /gateway/api/v1/*), signed with SigV4',
      statements: [new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources })],
    });
    const apiId = Stack.of(this).getLogicalId(api.node.defaultChild as apigwv2.CfnApi);
    for (const method of READ_METHODS) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/$default/${method}${READ_API_BASE_PATH}/*]`,
        reason:
          'The "*" stands for the rest of a read path (repository uuid, search, changes): the policy allows reads of this ' +
          "stage's read API only, the routes the reader function serves.",
      });
    }
    return policy;
  }
}

/** CORS for the given origins, API-wide (an HTTP API has one CORS configuration); API Gateway answers the preflights. */
function allowCors(api: apigwv2.HttpApi, origins: readonly string[]): void {
  (api.node.defaultChild as apigwv2.CfnApi).corsConfiguration = {
    allowOrigins: [...origins],
    allowMethods: [...READ_METHODS],
    allowHeaders: CORS_ALLOW_HEADERS,
    exposeHeaders: CORS_EXPOSE_HEADERS,
    allowCredentials: false,
    maxAge: 600,
  };
}
