// Exactly the DynamoDB calls each function makes, per table, so each role is granted those and nothing more
// (CDK's grantReadData/grantReadWriteData add Scan, batch calls and stream reads nobody makes). The integration
// test test/integration/functions/table-access.test.ts records the calls the functions really make against these.
import * as iam from 'aws-cdk-lib/aws-iam';
import type { DataTables } from './data-tables';

/** A DynamoDB API call, as named in IAM without the `dynamodb:` prefix. */
export type TableCall = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'Scan' | 'BatchGetItem' | 'BatchWriteItem';

/** The calls a function makes on each table it uses (a table not named is not granted at all). */
export type TableAccess = Readonly<Partial<Record<'models' | 'repositories' | 'events', readonly TableCall[]>>>;

export const TABLE_ACCESS = {
  /** Reads the repository of a delivery; claims, releases and logs deliveries, counting forged ones on one line. */
  verifier: { repositories: ['GetItem'], events: ['PutItem', 'UpdateItem', 'DeleteItem'] },
  /** Syncs models (chunked bodies: batch writes, queries, batch gets), keeps sync state and renames, logs runs. */
  worker: {
    models: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchGetItem', 'BatchWriteItem'],
    repositories: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
    events: ['PutItem'],
  },
  /** Lists the added repositories; it logs nothing in the events table. */
  reconciler: { repositories: ['Scan'] },
} as const satisfies Record<string, TableAccess>;

/**
 * Grants `role` exactly the calls of `access`, each on its table, not on the table's indexes (`Table.grant` would
 * add `<table>/index/*`): a function that queries an index is granted that index by name.
 */
export function grantTableAccess(tables: DataTables, role: iam.IGrantable, access: TableAccess): void {
  for (const [table, calls] of Object.entries(access) as Array<[keyof TableAccess, readonly TableCall[]]>)
    iam.Grant.addToPrincipal({ grantee: role, actions: calls.map((call) => `dynamodb:${call}`), resourceArns: [tables[table].tableArn] });
}
