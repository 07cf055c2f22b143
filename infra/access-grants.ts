import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { queueUrlVariable } from '#shared/runtime/queue-url.ts';
import type { TableAccess } from '#shared/table/table-access.ts';
import type { FunctionSpec } from '#shared/topology.ts';
import type { AppFunction } from './app-function.ts';
import type { DataConstruct } from './data-construct.ts';
import type { EmailConstruct } from './email-construct.ts';
import type { QueuesConstruct } from './queues-construct.ts';

export interface AccessResources {
  data: DataConstruct;
  queues: QueuesConstruct;
  /** Present only when some function sends email (it needs a verified sender identity). */
  email?: EmailConstruct;
}

/**
 * Turns a function's `access` entry into IAM grants, and the environment variables that go with them:
 * a function gets exactly what its topology entry says, and nothing it was not granted is even named.
 */
export function grantAccess(fn: AppFunction, spec: FunctionSpec, resources: AccessResources): void {
  const { access } = spec;
  const { data } = resources;

  if (access.table) {
    grantTableAccess(fn, access.table, data);
    acknowledgeTableGrantWildcards(fn, data);
  }

  if (access.publishEvents) data.bus.grantPutEventsTo(fn);

  if (access.signingKey) {
    data.signingKey.grantRead(fn);
    fn.addEnvironment('SIGNING_KEY_SECRET_ARN', data.signingKey.secretArn);
  }

  if (access.sendEmail) {
    if (!resources.email) {
      throw new Error(
        `shared/topology.ts: function ${spec.name} sends email, but no sender identity is configured. ` +
          'Verify a domain in SES, then synthesize with -c kinship:senderIdentity=mail.example.com (or set it in cdk.json context).',
      );
    }
    resources.email.grantSend(fn);
    fn.addEnvironment('SES_CONFIGURATION_SET', resources.email.configurationSet.configurationSetName);
    fn.addEnvironment('SES_SENDER_IDENTITY', resources.email.senderIdentity);
  }

  for (const queueName of access.sendToQueues ?? []) {
    const queue = resources.queues.queue(queueName, spec.name);
    queue.grantSendMessages(fn);
    fn.addEnvironment(queueUrlVariable(queueName), queue.queueUrl);
  }
}

const READ_ACTIONS = ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'];

/**
 * The table grant, narrowed by the function's declaration: only the actions its mode needs, `DeleteItem` only when it
 * deletes, `Scan` only for a whole-table function, and otherwise a `dynamodb:LeadingKeys` condition naming the
 * partitions it may touch (`ForAllValues`, so a batch or transaction naming one other partition is refused whole).
 * The same declaration is checked on every call locally (shared/table/table-access.ts).
 */
function grantTableAccess(fn: AppFunction, table: TableAccess, data: DataConstruct): void {
  const wholeTable = !Array.isArray(table.keys);
  const actions = [
    ...READ_ACTIONS,
    ...(wholeTable ? ['dynamodb:Scan'] : []),
    ...(table.mode === 'readWrite' ? WRITE_ACTIONS : []),
    ...(table.mode === 'readWrite' && table.deletes ? ['dynamodb:DeleteItem'] : []),
  ];
  const leadingKeys = Array.isArray(table.keys) ? table.keys.map((prefix) => `${prefix}*`) : undefined;
  fn.addToRolePolicy(
    new PolicyStatement({
      actions,
      resources: [data.table.tableArn, `${data.table.tableArn}/index/*`],
      ...(leadingKeys ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } } } : {}),
    }),
  );
  if (table.mode === 'read') data.key.grantDecrypt(fn);
  else data.key.grantEncryptDecrypt(fn);
}

/**
 * CDK's table grants name the table's indexes as `<table>/index/*` and use the KMS action families
 * `GenerateDataKey*` / `ReEncrypt*`. Both are scoped to this one table and its one key; the acknowledgements
 * name those exact findings, so any other wildcard on the role still fails cdk-nag.
 */
function acknowledgeTableGrantWildcards(fn: AppFunction, data: DataConstruct): void {
  const tableArn = `<${logicalIdOf(data.table)}.Arn>`;
  const findings: [finding: string, reason: string][] = [
    [`Resource::${tableArn}/index/*`, 'The grant covers the indexes of the Kinship table only (GSI1: orders by customer).'],
  ];
  if (fn.spec.access.table?.mode === 'readWrite') {
    findings.push(
      ['Action::kms:GenerateDataKey*', "DynamoDB needs a data key from the table's customer-managed key to write; the grant is on that one key only."],
      ['Action::kms:ReEncrypt*', 'Part of the standard grant for a table under a customer-managed key; limited to that one key.'],
    );
  }
  for (const [finding, reason] of findings) {
    Validations.of(fn.role ?? fn).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`, reason });
  }
}

/** The logical id of a construct's CloudFormation resource, as cdk-nag prints it in finding ids. */
function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!CfnElement.isCfnElement(resource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
}
