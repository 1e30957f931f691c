// The admin console in AWS: its static assets in a private S3 bucket behind CloudFront (origin access control,
// HTTPS, a strict Content Security Policy), with the admin API routed through the same origin so the console needs
// no CORS, plus the access logs Control Tower and cdk-nag ask for and the console's config.json.
import { Aws, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleDomain } from '../access-config';
import type { ConsoleConfig } from '../console-config';
import { stackLogGroupName } from './log-encryption-key';

/** Path of the console on its distribution (as locally: `http://127.0.0.1:<port>/console/`). */
export const CONSOLE_PATH = '/console/';

/** Path pattern CloudFront forwards to the HTTP API: the admin API, on the console's own origin. */
export const ADMIN_API_PATH_PATTERN = '/gateway/admin/*';

/**
 * Viewer-request function of the console's behavior: `/` goes to the console, and a console route (a path
 * without a file extension) is answered with the console's index.html, where the single-page app takes over.
 */
export const ROUTING_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/console') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${CONSOLE_PATH}' } } };
  }
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (uri.indexOf('${CONSOLE_PATH}') === 0 && last.indexOf('.') === -1) request.uri = '${CONSOLE_PATH}index.html';
  return request;
}`;

/** Properties of {@link ConsoleHosting}. */
export interface ConsoleHostingProps {
  /** Folder of the built console (index.html and its assets), e.g. `dist/console`. */
  readonly assetsDir: string;
  /** The HTTP API whose admin routes CloudFront forwards (`/gateway/admin/*`). */
  readonly api: apigwv2.IHttpApi;
  /** Origins the console's scripts may fetch from besides its own (the identity provider's). */
  readonly connectOrigins: readonly string[];
  /**
   * The console's own domain and certificate.
   * @default - the distribution's cloudfront.net name with CloudFront's certificate
   */
  readonly domain?: ConsoleDomain;
  /** Days the access logs are kept. */
  readonly logRetentionDays: number;
  /** Retention of the deployment function's log group. */
  readonly logRetention?: logs.RetentionDays;
  /** KMS key that encrypts the deployment function's log group (see `createLogEncryptionKey`). */
  readonly logEncryptionKey?: kms.IKey;
}

/** The console's bucket, distribution and access logs; {@link ConsoleHosting.deploy} uploads the assets and config.json. */
export class ConsoleHosting extends Construct {
  /** Private bucket of the console's assets (read by CloudFront only, through origin access control). */
  public readonly bucket: s3.Bucket;
  /** Access logs of the bucket and the distribution. */
  public readonly logBucket: s3.Bucket;
  /** The console's distribution. */
  public readonly distribution: cloudfront.Distribution;
  /** The console's URL (`https://<distribution>/console/`). */
  public readonly consoleUrl: string;
  /** The security headers every response carries. */
  public readonly securityHeaders: cloudfront.ResponseHeadersPolicy;
  private readonly props: ConsoleHostingProps;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    if (!existsSync(join(props.assetsDir, 'index.html'))) {
      throw new Error(
        `The admin console is not built: ${join(props.assetsDir, 'index.html')} does not exist. Build it first ` +
          '(npm run build:console; docs/DEPLOY.md), then synthesize again.',
      );
    }
    this.props = props;
    this.logBucket = this.createLogBucket(props.logRetentionDays);
    this.bucket = this.createBucket('Assets', {
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3-console/',
    });
    this.securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Security headers of the model hub console',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.connectOrigins), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()', override: true },
        ],
      },
    });
    this.distribution = this.createDistribution(props.api, props.domain);
    this.consoleUrl = `https://${props.domain?.domainName ?? this.distribution.distributionDomainName}${CONSOLE_PATH}`;
  }

  /** Uploads the console's assets and its config.json (deploy-time values resolved) under `/console/`. */
  deploy(config: ConsoleConfig): s3deploy.BucketDeployment {
    const logGroup = new logs.LogGroup(this, 'DeployLogs', {
      logGroupName: stackLogGroupName(this, 'console-deploy'),
      retention: this.props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.props.logEncryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the console assets and config.json into the console bucket at deploy time',
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    const deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [s3deploy.Source.asset(this.props.assetsDir), s3deploy.Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_PATH.slice(1),
      // A new console removes the files of the old one.
      prune: true,
      // Browsers and CloudFront revalidate every file (a 304 when unchanged), so a deploy needs no invalidation:
      // the deployment role then needs no CloudFront permission on "*".
      cacheControl: [s3deploy.CacheControl.noCache()],
      role,
      logGroup,
      memoryLimit: 256,
    });
    acknowledgeDeploymentFindings(role, this.bucket);
    return deployment;
  }

  private createDistribution(api: apigwv2.IHttpApi, domain: ConsoleDomain | undefined): cloudfront.Distribution {
    const routing = new cloudfront.Function(this, 'Routing', {
      comment: 'Sends / to the console and console routes to its index.html',
      code: cloudfront.FunctionCode.fromInline(ROUTING_FUNCTION),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });
    const apiOrigin = new origins.HttpOrigin(`${api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Model hub admin console',
      defaultRootObject: `${CONSOLE_PATH.slice(1)}index.html`,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.securityHeaders,
        functionAssociations: [{ function: routing, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        // Same origin for the console and its API: no CORS, and `connect-src 'self'` covers the API.
        [ADMIN_API_PATH_PATTERN]: {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          // Every viewer header but Host (API Gateway routes by its own host name), the Authorization header included.
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.securityHeaders,
        },
      },
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // With a domain of its own: its certificate, SNI and TLS 1.2 or newer (CT.CLOUDFRONT.PR.6, PR.7, PR.9).
      ...(domain
        ? {
            domainNames: [domain.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            sslSupportMethod: cloudfront.SSLMethod.SNI,
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    acknowledgeDistributionFindings(distribution, domain !== undefined);
    return distribution;
  }

  /** The access-log bucket: CloudFront's standard logs need ACLs (BUCKET_OWNER_PREFERRED); it logs its own access too. */
  private createLogBucket(retentionDays: number): s3.Bucket {
    const bucket = this.createBucket('AccessLogs', {
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      // Without a target bucket S3 writes a bucket's access logs into itself (CT.S3.PR.2, AwsSolutions-S1).
      serverAccessLogsPrefix: 's3-access-logs/',
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(retentionDays), noncurrentVersionExpiration: Duration.days(1) }],
    });
    return bucket;
  }

  /** A private, TLS-only, versioned bucket with object lock available, event notifications and a lifecycle rule. */
  private createBucket(id: string, props: s3.BucketProps): s3.Bucket {
    const bucket = new s3.Bucket(this, id, {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3-managed keys: S3 delivers server access logs only to SSE-S3 buckets (see DISABLED_CONTROL_TOWER_RULES).
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      // Object lock without a default retention: nothing is locked, but it can be (CT.S3.PR.9).
      objectLockEnabled: true,
      lifecycleRules: [{ id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) }],
      // Logs are records and the bucket is not empty when the stack is deleted.
      removalPolicy: RemovalPolicy.RETAIN,
      ...props,
    });
    // Events to EventBridge (CT.S3.PR.4) set on the bucket itself: the eventBridgeEnabled prop would add CDK's
    // notifications custom resource, a Lambda function with an AWS managed policy.
    (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    return bucket;
  }
}

/** No inline script or style, nothing from another origin but the sign-in provider's token and discovery endpoints. */
function contentSecurityPolicy(connectOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${connectOrigins.join(' ')}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

function acknowledgeDistributionFindings(distribution: cloudfront.Distribution, ownDomain: boolean): void {
  const acknowledge = (id: string, reason: string) => Validations.of(distribution).acknowledge({ id, reason });
  acknowledge(
    'AwsSolutions-CFR1',
    'No geo restriction: admins sign in from wherever they work; the console is useless without an admin account (MFA required).',
  );
  acknowledge(
    'AwsSolutions-CFR2',
    'No AWS WAF web ACL (a fixed monthly cost): the console is static files and every admin API call needs a valid JWT; ' +
      'the HTTP API throttles each route. Attach a web ACL to the distribution when your organisation requires one.',
  );
  if (ownDomain) return;
  acknowledge(
    'AwsSolutions-CFR4',
    "The distribution uses its cloudfront.net name and CloudFront's default certificate, with which the minimum protocol cannot be " +
      'raised; with consoleDomainName and consoleCertificateArn the distribution requires TLSv1.2_2021 (docs/DEPLOY.md).',
  );
}

/** cdk-nag findings of the BucketDeployment's function, which CDK builds (its runtime, its grants). */
function acknowledgeDeploymentFindings(role: iam.Role, bucket: s3.Bucket): void {
  const stack = Stack.of(bucket);
  // A singleton at the stack's root, named after the BucketDeployment's fixed uuid and memory.
  const handler = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (handler) {
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason: "CDK's own deploy-time handler of BucketDeployment: CDK chooses (and upgrades) its Python runtime.",
    });
  }
  const stagingBucket = `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>`;
  const bucketId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
  const findings = [
    'Action::s3:GetBucket*',
    'Action::s3:GetObject*',
    'Action::s3:List*',
    'Action::s3:Abort*',
    'Action::s3:DeleteObject*',
    `Resource::arn:<AWS::Partition>:s3:::${stagingBucket}/*`,
    `Resource::<${bucketId}.Arn>/*`,
  ];
  for (const finding of findings) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason:
        "The grants CDK's BucketDeployment makes to copy the console: read its asset in the CDK staging bucket, write, list and " +
        'delete (prune) objects of the console bucket, whose object actions name "<bucket>/*".',
    });
  }
}
