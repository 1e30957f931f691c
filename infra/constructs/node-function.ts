// Every function of the stack built one way (bundling, own role, encrypted log group with retention), so each
// meets the Control Tower controls by construction.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { stackLogGroupName } from './log-encryption-key';

/** Properties of {@link NodeFunction}. */
export interface NodeFunctionProps extends Omit<NodejsFunctionProps, 'role' | 'logGroup' | 'logRetention' | 'entry'> {
  /** Absolute path of the TypeScript entry file; it must export `handler`. */
  readonly entry: string;
  /** Repository root: where esbuild resolves modules and where `package-lock.json` lives. */
  readonly projectRoot: string;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_YEAR - the minimum Control Tower accepts (CT.CLOUDWATCH.PR.2)
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * KMS key that encrypts the function's log group (see `createLogEncryptionKey`).
   * @default - CloudWatch Logs' own encryption, which Control Tower (CT.CLOUDWATCH.PR.3) rejects
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * What happens to the log group when the stack is deleted.
   * @default RemovalPolicy.DESTROY - logs are diagnostics, not data; the tables hold the data
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A Node.js Lambda function with the project's defaults: nodejs24.x on arm64, JSON log format into an explicit
 * log group with retention, source maps, and a minified esbuild bundle produced by the local esbuild (no Docker).
 *
 * The function gets its own role whose only permission is writing to its log group, instead of CDK's default
 * role with the AWS managed `AWSLambdaBasicExecutionRole` (the project uses no AWS managed policies, and that
 * policy allows writing to every log group in the account). Callers add permissions with grants.
 */
export class NodeFunction extends Construct {
  /** The Lambda function. */
  public readonly function: NodejsFunction;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The function's execution role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    const { logRetention, logEncryptionKey, logRemovalPolicy, projectRoot, ...functionProps } = props;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      // Named under the stack's prefix, which the log key's policy is limited to.
      logGroupName: stackLogGroupName(this, id.toLowerCase()),
      retention: logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: logEncryptionKey,
      removalPolicy: logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    // The log group exists before the function runs, so logs:CreateLogGroup is not needed.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    // Merge order: our defaults, then the caller's props, then the values this construct depends on.
    this.function = new NodejsFunction(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      loggingFormat: lambda.LoggingFormat.JSON,
      ...functionProps,
      environment: {
        // esbuild writes .map files next to the bundle; Node only applies them with this flag.
        NODE_OPTIONS: '--enable-source-maps',
        ...functionProps.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        // Stack traces only need file/line mapping; omitting sources keeps the zip small.
        sourcesContent: false,
        target: 'node24',
        format: OutputFormat.CJS,
        // Bundle the AWS SDK instead of using the runtime's copy, so production runs the versions pinned in
        // package-lock.json and exercised by the tests.
        externalModules: [],
        ...functionProps.bundling,
        forceDockerBundling: false,
      },
      entry: props.entry,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: `${projectRoot}/package-lock.json`,
      role: this.role,
      logGroup: this.logGroup,
    });
  }
}
