import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { UsageError } from './usage-error.ts';

/** Options every command that reads or writes the table accepts (spread into its parseArgs options). */
export const tableOptions = {
  aws: { type: 'boolean' },
  table: { type: 'string' },
  endpoint: { type: 'string' },
} as const;

export const tableOptionsHelp = `Table:
  By default the command works on the local runtime's DynamoDB Local (start it with "npm start").
  --table <name>       table name (env TABLE_NAME; default "kinship")
  --endpoint <url>     DynamoDB endpoint (env DYNAMODB_ENDPOINT; default http://127.0.0.1:$DYNAMODB_PORT, port 8000)
  --aws                use real DynamoDB in AWS instead (or env KINSHIP_AWS=1): region from AWS_REGION, credentials
                       from the usual AWS chain (AWS_PROFILE, SSO, environment); --table or TABLE_NAME required
                       (the stack's "TableName" output)
`;

export interface TableTarget {
  table: Table;
  /** Where the table is, for messages: "kinship at http://127.0.0.1:8000" or "Kinship-Table in eu-west-1". */
  description: string;
  /** Fails with a message that says what to do when the table cannot be reached or does not exist. */
  check(): Promise<void>;
  close(): void;
}

export function tableTarget(
  values: { aws?: boolean | undefined; table?: string | undefined; endpoint?: string | undefined },
  env: NodeJS.ProcessEnv,
): TableTarget {
  const aws = values.aws === true || env.KINSHIP_AWS === '1' || env.KINSHIP_AWS === 'true';
  const name = values.table ?? env.TABLE_NAME ?? (aws ? undefined : 'kinship');
  if (name === undefined) throw new UsageError('--aws needs the table name: pass --table <name> or set TABLE_NAME (the stack output "TableName")');
  if (aws && values.endpoint !== undefined) throw new UsageError('--aws and --endpoint do not go together: --aws uses the regional DynamoDB endpoint');

  let doc: DynamoDBDocumentClient;
  let description: string;
  if (aws) {
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new UsageError('--aws needs a region: set AWS_REGION (e.g. AWS_REGION=eu-west-1)');
    doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region, maxAttempts: 8 }), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    description = `${name} in ${region}`;
  } else {
    const endpoint = values.endpoint ?? env.DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${env.DYNAMODB_PORT ?? 8000}`;
    doc = createDocumentClient(endpoint);
    description = `${name} at ${endpoint}`;
  }
  const table: Table = { doc, name };
  return {
    table,
    description,
    async check() {
      try {
        await doc.send(new DescribeTableCommand({ TableName: name }));
      } catch (error) {
        if (error instanceof ResourceNotFoundException) {
          throw new Error(
            `table ${description} does not exist. ${aws ? 'Check --table / TABLE_NAME against the stack output "TableName".' : 'Start the local runtime with "npm start" (it creates the table), or point --table / --endpoint at yours.'}`,
            { cause: error },
          );
        }
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          `cannot reach DynamoDB (${description}): ${reason}. ${aws ? 'Check your AWS credentials and AWS_REGION.' : 'Is "npm start" running? Or set --endpoint / DYNAMODB_ENDPOINT, or use --aws for real DynamoDB.'}`,
          { cause: error },
        );
      }
    },
    close() {
      doc.destroy();
    },
  };
}
