// Exactly the DynamoDB calls each function makes, per table, so each role is granted those and nothing more
// (CDK's grantReadData/grantReadWriteData add Scan, batch calls and stream reads nobody makes). The integration
// test test/integration/functions/table-access.test.ts records the calls the functions really make against these.
import * as iam from 'aws-cdk-lib/aws-iam';
import { MODEL_RECORDS_INDEX } from '../../shared/aws/tables';
import type { DataTables } from './data-tables';

/** A DynamoDB API call, as named in IAM without the `dynamodb:` prefix. */
export type TableCall = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'Scan' | 'BatchGetItem' | 'BatchWriteItem';

/** The calls a function makes on each table it uses (a table not named is not granted at all). */
export type TableAccess = Readonly<Partial<Record<'models' | 'repositories' | 'events' | 'changes', readonly TableCall[]>>>;

export const TABLE_ACCESS = {
  /** Reads the repository of a delivery; claims, releases and logs deliveries, counting forged ones on one line. */
  verifier: { repositories: ['GetItem'], events: ['PutItem', 'UpdateItem', 'DeleteItem'] },
  /** Syncs models (chunked bodies: batch writes, queries, batch gets), keeps sync state and renames, logs runs. */
  worker: {
    models: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchGetItem', 'BatchWriteItem'],
    repositories: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
    events: ['PutItem'],
    /** Intents before model writes, commit marks, change records (`dynamodb-change-store.ts`). */
    changes: ['PutItem', 'DeleteItem', 'Query', 'BatchWriteItem'],
  },
  /** Lists the added repositories; it logs nothing in the events table. */
  reconciler: { repositories: ['Scan'] },
  /**
   * Reads only: lists repositories (a scan of the small configuration table) and their last sync runs (status), model
   * records and chunks; the entity search reads index pieces in BatchGetItem calls (dynamodb-entity-search-source.ts);
   * the changes feed queries the change records and the open commits (dynamodb-change-store.ts).
   */
  reader: { models: ['GetItem', 'Query', 'BatchGetItem'], repositories: ['GetItem', 'Scan'], events: ['Query'], changes: ['Query'] },
  /**
   * The admin API runs the CLI's use cases: repository configuration (list, add, update, rename, remove), model
   * listing, download and removal with the repository, the events log (admin trail and listing). It also serves the
   * console's reads (`/gateway/admin/v1/read/…`, shared/admin/read-proxy.ts) with the read API's handler, so it has
   * the reader's grants too (models BatchGetItem: the entity search; changes Query: the changes feed).
   */
  admin: {
    models: ['GetItem', 'Query', 'BatchGetItem', 'BatchWriteItem'],
    repositories: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Scan'],
    events: ['PutItem', 'Query'],
    changes: ['Query'],
  },
} as const satisfies Record<string, TableAccess>;

/**
 * Grants `role` exactly the calls of `access`, each on its table, not on the table's indexes (`Table.grant` would
 * add `<table>/index/*`): a function that queries an index is granted that index by name.
 */
export function grantTableAccess(tables: DataTables, role: iam.IGrantable, access: TableAccess): void {
  for (const [table, calls] of Object.entries(access) as Array<[keyof TableAccess, readonly TableCall[]]>)
    iam.Grant.addToPrincipal({ grantee: role, actions: calls.map((call) => `dynamodb:${call}`), resourceArns: [tables[table].tableArn] });
}

/**
 * The global indexes a function queries, by name, on the models table: entity search lists a repository's records
 * from the sparse `records` index (dynamodb-entity-search-source.ts), in the reader and in the admin function's
 * read proxy. Without it search still answers, listing the table (and reading the inline bodies it holds).
 */
export const MODELS_INDEX_QUERIES = {
  reader: [MODEL_RECORDS_INDEX.indexName],
  admin: [MODEL_RECORDS_INDEX.indexName],
} as const satisfies Record<string, readonly string[]>;

/** Grants `role` Query on exactly the named global indexes of the models table. */
export function grantModelsIndexQueries(tables: DataTables, role: iam.IGrantable, indexNames: readonly string[]): void {
  iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['dynamodb:Query'],
    resourceArns: indexNames.map((name) => `${tables.models.tableArn}/index/${name}`),
  });
}
