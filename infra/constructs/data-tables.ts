// The hub's DynamoDB tables, built from the same definitions the code and the local stand-ins use, so the
// deployed schema cannot drift.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  CHANGES_TABLE,
  EVENTS_TABLE,
  MODELS_TABLE,
  PARTITION_KEY,
  REPOSITORIES_TABLE,
  SORT_KEY,
  type TableDefinition,
} from '../../shared/aws/tables';

/** Properties of {@link DataTables}. */
export interface DataTablesProps {
  /**
   * What happens to the tables when the stack is deleted.
   * @default RemovalPolicy.RETAIN - replicated models and repository configuration outlive the stack
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The hub's four DynamoDB tables, created from the shared definitions in `shared/aws/tables.ts` so that the
 * deployed key schema is the one the application and its local stand-ins use.
 */
export class DataTables extends Construct {
  /** Replicated models. */
  public readonly models: dynamodb.Table;
  /** Added repositories and their sync state. */
  public readonly repositories: dynamodb.Table;
  /** Deliveries, sync runs and dedupe hashes; items expire through TTL. */
  public readonly events: dynamodb.Table;
  /** Change records (the changes feed; its stream feeds the change events), intents and commit marks; items expire. */
  public readonly changes: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DataTablesProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.models = this.createTable(MODELS_TABLE, removalPolicy);
    this.repositories = this.createTable(REPOSITORIES_TABLE, removalPolicy);
    this.events = this.createTable(EVENTS_TABLE, removalPolicy);
    this.changes = this.createTable(CHANGES_TABLE, removalPolicy);
  }

  /** The environment variables through which functions receive the physical table names. */
  public environmentFor(...tables: readonly dynamodb.Table[]): Record<string, string> {
    const byTable = new Map<dynamodb.Table, TableDefinition>([
      [this.models, MODELS_TABLE],
      [this.repositories, REPOSITORIES_TABLE],
      [this.events, EVENTS_TABLE],
      [this.changes, CHANGES_TABLE],
    ]);
    const env: Record<string, string> = {};
    for (const table of tables) {
      const definition = byTable.get(table);
      if (definition) env[definition.envVar] = table.tableName;
    }
    return env;
  }

  private createTable(definition: TableDefinition, removalPolicy: RemovalPolicy): dynamodb.Table {
    const table = new dynamodb.Table(this, definition.logicalName, {
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: dynamodb.AttributeType.STRING },
      // Traffic is bursty (pushes) and mostly idle, which on-demand bills best.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: definition.ttlAttribute,
      ...(definition.streamsNewImages ? { stream: dynamodb.StreamViewType.NEW_IMAGE } : {}),
      removalPolicy,
      // A retained table is meant to survive; also guard it against deletion outside CloudFormation.
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });
    for (const index of definition.globalIndexes ?? [])
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.nonKeyAttributes],
      });
    return table;
  }
}
