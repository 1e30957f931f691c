// Each function's role may make exactly the calls the function makes, each on its own resources: asserted on the
// synthesized template, table by table, so a broader CDK grant (Scan, batch calls, stream reads) shows up here.
import { type CfnElement, type Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { ModelHubStack } from '../../infra/model-hub-stack';
import { sharedSynth } from '../support/infra-stack';

interface PolicyStatementJson {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

let stack: ModelHubStack;
let template: Template;

beforeAll(async () => {
  const synth = await sharedSynth();
  stack = synth.stack;
  template = synth.template;
});

const logicalId = (s: Stack, element: unknown): string => s.getLogicalId(element as CfnElement);
const listOf = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** All statements of the inline policies attached to a role. */
function statementsOf(role: iam.Role): PolicyStatementJson[] {
  const roleId = logicalId(stack, role.node.defaultChild);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

const actionsOf = (statements: PolicyStatementJson[]): string[] => [...new Set(statements.flatMap((st) => listOf(st.Action)))].sort();

/**
 * The DynamoDB actions a role has on each table, by table name (`models`, `repositories`, `events`, `changes`), and on
 * each index it is granted by name (`models/index/records`).
 */
function tableAccessOf(role: iam.Role): Record<string, string[]> {
  const names = new Map(
    (['models', 'repositories', 'events', 'changes'] as const).map((name) => [
      logicalId(stack, stack.tables[name].node.defaultChild),
      name,
    ]),
  );
  const access: Record<string, string[]> = {};
  for (const statement of statementsOf(role)) {
    const actions = listOf(statement.Action).filter((action) => action.startsWith('dynamodb:'));
    if (actions.length === 0) continue;
    for (const resource of listOf(statement.Resource)) {
      const table = tableOrIndexName(names, resource);
      if (!table) throw new Error(`a DynamoDB grant on something other than a table: ${JSON.stringify(resource)}`);
      access[table] = [...new Set([...(access[table] ?? []), ...actions])].sort();
    }
  }
  return access;
}

/** `models` for the table's ARN, `models/index/records` for an index ARN built on it, else undefined. */
function tableOrIndexName(names: ReadonlyMap<string, string>, resource: unknown): string | undefined {
  const getAtt = (value: unknown) => names.get((value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0] ?? '');
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) return getAtt(resource);
  const [table, suffix] = join[1];
  const name = getAtt(table);
  return name && typeof suffix === 'string' ? `${name}${suffix}` : undefined;
}

test('no role uses managed policies, and no statement allows "*" actions or resources', () => {
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    for (const st of policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]) {
      for (const action of listOf(st.Action)) expect(action).not.toMatch(/(^\*$|:\*$)/);
      expect(st.Resource).not.toBe('*');
    }
  }
});

describe('the verifier', () => {
  test('reads a repository, and claims, releases and logs deliveries: no scan, query or batch call', () => {
    expect(tableAccessOf(stack.ingest.verifier.role)).toEqual({
      repositories: ['dynamodb:GetItem'],
      events: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    });
  });

  test('otherwise only writes its logs, reads the webhook secret and sends to the queue', () => {
    const statements = statementsOf(stack.ingest.verifier.role);
    expect(actionsOf(statements).filter((action) => !action.startsWith('dynamodb:'))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
    ]);
    expect(statements.filter((st) => JSON.stringify(st.Action).includes('secretsmanager:'))).toEqual([
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: logicalId(stack, stack.ingest.webhookSecret.node.defaultChild) },
      },
    ]);
  });
});

describe('the worker', () => {
  test('makes item, query and batch calls on models, keeps sync state, and only adds lines to the events log', () => {
    expect(tableAccessOf(stack.sync.worker.role)).toEqual({
      models: [
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      repositories: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      events: ['dynamodb:PutItem'],
      changes: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query'],
    });
  });

  test('reads secrets only under the token prefix, consumes its queue and sends continuations to it', () => {
    const statements = statementsOf(stack.sync.worker.role);
    expect(actionsOf(statements).filter((action) => !action.startsWith('dynamodb:'))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      // The SQS event source's own grant (Lambda polls with the function's role), plus SendMessage.
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    const secretStatements = statements.filter((st) => JSON.stringify(st.Action).includes('secretsmanager:'));
    expect(secretStatements).toHaveLength(1);
    const parts = (secretStatements[0]!.Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    expect(parts[parts.length - 1]).toBe(':secret:ModelHubSync/tokens/*');
  });
});

describe('the reconciler', () => {
  test('only scans the repositories: it writes nothing to any table', () => {
    expect(tableAccessOf(stack.reconciliation.reconciler.role)).toEqual({ repositories: ['dynamodb:Scan'] });
  });

  test('has no secret access and cannot consume the queue', () => {
    expect(actionsOf(statementsOf(stack.reconciliation.reconciler.role)).filter((action) => !action.startsWith('dynamodb:'))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:SendMessage',
    ]);
  });
});

describe('the reader', () => {
  test('only reads: item, query and batch gets on models, the repositories (a scan lists them), sync runs, the changes feed', () => {
    expect(tableAccessOf(stack.readApi.reader.role)).toEqual({
      models: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
      // Entity search lists a repository's records from the sparse records index, and queries no other index.
      'models/index/records': ['dynamodb:Query'],
      repositories: ['dynamodb:GetItem', 'dynamodb:Scan'],
      events: ['dynamodb:Query'],
      changes: ['dynamodb:Query'],
    });
  });

  test('has no secret, queue or other access', () => {
    expect(actionsOf(statementsOf(stack.readApi.reader.role)).filter((action) => !action.startsWith('dynamodb:'))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });
});

describe('the admin function', () => {
  const role = () => stack.adminApi.admin.role;
  const ref = (construct: { node: { defaultChild?: unknown } }) => logicalId(stack, construct.node.defaultChild);

  test('runs the CLI use cases on the tables (configuration, models, events log) and the reads of the console', () => {
    expect(tableAccessOf(role())).toEqual({
      // BatchGetItem: the console's search through the read proxy.
      models: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:Query'],
      'models/index/records': ['dynamodb:Query'],
      repositories: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
      events: ['dynamodb:PutItem', 'dynamodb:Query'],
      changes: ['dynamodb:Query'],
    });
  });

  test('sends to the sync queue, and lists, counts and redrives the dead-letter queue', () => {
    const sqsStatements = statementsOf(role()).filter((st) => JSON.stringify(st.Action).includes('sqs:'));
    const byQueue = Object.fromEntries(
      sqsStatements.map((st) => [(st.Resource as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0], listOf(st.Action).sort()]),
    );
    expect(byQueue).toEqual({
      [ref(stack.ingest.queue)]: ['sqs:SendMessage'],
      [ref(stack.ingest.deadLetterQueue)]: [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ],
    });
  });

  test('reads and rotates the webhook secret, and manages access tokens only under the token prefix', () => {
    const secretStatements = statementsOf(role()).filter((st) => JSON.stringify(st.Action).includes('secretsmanager:'));
    expect(secretStatements).toHaveLength(2);
    expect(secretStatements[0]).toEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
      Resource: { Ref: ref(stack.ingest.webhookSecret) },
    });
    expect(listOf(secretStatements[1]!.Action).sort()).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
    ]);
    const parts = (secretStatements[1]!.Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    expect(parts[parts.length - 1]).toBe(':secret:ModelHubSync/tokens/*');
  });

  test('nothing else but its logs', () => {
    expect(actionsOf(statementsOf(role())).filter((action) => !/^(dynamodb|sqs|secretsmanager):/.test(action))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });
});
