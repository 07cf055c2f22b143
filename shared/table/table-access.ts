import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { field } from './item-field.ts';
import { tableDesign } from './table-design.ts';

/**
 * Least-privilege table access, declared per function in shared/topology.ts and enforced twice from that one
 * declaration: in AWS by the IAM policy the stack writes (`dynamodb:LeadingKeys` conditions, no `Scan`, no
 * `DeleteItem` unless declared), and locally by a check on every DynamoDB call a handler makes, so a function that
 * reaches outside its declared partitions fails its tests here rather than with AccessDenied after a deploy.
 */
export interface TableAccess {
  mode: 'read' | 'readWrite';
  /**
   * The partition-key prefixes (of the table and of the indexes it queries) the function may touch, e.g. `CUST#`;
   * or `whole-table` for a function that scans (a Scan has no leading key, so IAM cannot narrow it), with the reason.
   */
  keys: readonly string[] | { wholeTable: string };
  /** May delete items (DeleteItem, a transaction's Delete, a batch's DeleteRequest). Off by default. */
  deletes?: boolean;
}

/** The access the current local invocation runs under; unset in AWS (IAM enforces there) and outside handlers. */
const currentAccess = new AsyncLocalStorage<{ functionName: string; access: TableAccess }>();

/** Runs `work` (one local invocation of a function) under that function's declared table access. */
export function runWithTableAccess<T>(functionName: string, access: TableAccess, work: () => T): T {
  return currentAccess.run({ functionName, access }, work);
}

/** DynamoDB's own error name, so handlers treat it as AWS would an IAM denial (an unexpected failure, not bad input). */
export class TableAccessDeniedError extends Error {
  override readonly name = 'AccessDeniedException';
}

/** What one DynamoDB call touches: its leading keys, and whether it writes, deletes or scans. */
export interface TableCall {
  leadingKeys: string[];
  writes: boolean;
  deletes: boolean;
  scans: boolean;
  /** Writes to the consent ledger other than a conditional append: an update, a delete, or a put that could overwrite. */
  ledgerRewrites: ('update' | 'delete' | 'unconditional-put')[];
}

/** Sort-key prefix of the consent ledger's entries (shared/table/keys.ts `consentEntry`). */
const LEDGER_PREFIX = 'CONSENT#';
const APPEND_ONLY = 'attribute_not_exists(PK)';

/** The violation of `access` by `call`, as a sentence; undefined when the call is allowed. */
export function tableAccessViolation(functionName: string, access: TableAccess, commandName: string, call: TableCall): string | undefined {
  const declared = `its access in shared/topology.ts`;
  if (call.writes && access.mode === 'read') return `${functionName} may only read the table (${commandName}); see ${declared}`;
  if (call.deletes && !access.deletes) return `${functionName} may not delete items (${commandName}); see ${declared}`;
  const { keys } = access;
  // The consent ledger proves what was agreed: it is only ever appended to. Only an erasure (a whole-table function
  // allowed to delete) may remove a person's entries or re-key them under an anonymous id; nothing may update one.
  const erases = !Array.isArray(keys) && access.deletes === true;
  const rewrite = call.ledgerRewrites.find((kind) => kind === 'update' || !erases);
  if (rewrite) return `${functionName} may only append to the consent ledger (PutItem with ${APPEND_ONLY}), not ${rewrite} an entry (${commandName})`;
  if (!Array.isArray(keys)) return undefined;
  if (call.scans) return `${functionName} may not scan the table (${commandName}): it is limited to ${keys.join(', ')}; see ${declared}`;
  const outside = call.leadingKeys.find((key) => !keys.some((prefix) => key.startsWith(prefix)));
  if (outside !== undefined)
    return `${functionName} touched partition "${partitionKind(outside)}…" outside ${keys.join(', ')} (${commandName}); see ${declared}`;
  return undefined;
}

/** The partition's prefix only (`CUST#`), never the id after it: the message may be logged. */
function partitionKind(key: string): string {
  const hash = key.indexOf('#');
  return hash < 0 ? key.slice(0, 12) : key.slice(0, hash + 1);
}

/**
 * Adds the local check to a document client: every command is inspected before it is sent and refused, with
 * `AccessDeniedException` as IAM would, when the invoking function's declaration does not allow it. Outside a local
 * invocation (in Lambda, in tests that call domain code directly) it does nothing.
 */
export function guardTableAccess(doc: DynamoDBDocumentClient): void {
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const scope = currentAccess.getStore();
      if (scope) {
        const commandName = context.commandName ?? 'unknown command';
        const violation = tableAccessViolation(scope.functionName, scope.access, commandName, describeTableCall(commandName, args.input));
        if (violation) throw new TableAccessDeniedError(violation);
      }
      return next(args);
    },
    { step: 'build', name: 'kinshipTableAccessGuard' },
  );
}

const PARTITION_KEY_OF_INDEX = new Map<string | undefined, string>([
  [undefined, tableDesign.partitionKey],
  ...tableDesign.globalSecondaryIndexes.map((index): [string, string] => [index.indexName, index.partitionKey]),
]);

/** Reads the leading keys out of a (marshalled or plain) DynamoDB command input. */
export function describeTableCall(commandName: string, input: unknown): TableCall {
  const call: TableCall = { leadingKeys: [], writes: false, deletes: false, scans: false, ledgerRewrites: [] };
  const addKeyOf = (item: unknown) => {
    const value = stringValue(field(item, tableDesign.partitionKey));
    if (value !== undefined) call.leadingKeys.push(value);
  };
  const isLedger = (item: unknown) => stringValue(field(item, tableDesign.sortKey))?.startsWith(LEDGER_PREFIX) === true;
  /** A put (request or transaction part) names its item and, for an append, its condition. */
  const addPut = (request: unknown, item: unknown) => {
    call.writes = true;
    addKeyOf(item);
    if (isLedger(item) && !stringValue(field(request, 'ConditionExpression'))?.includes(APPEND_ONLY)) call.ledgerRewrites.push('unconditional-put');
  };
  const addUpdate = (key: unknown) => {
    call.writes = true;
    addKeyOf(key);
    if (isLedger(key)) call.ledgerRewrites.push('update');
  };
  const addDelete = (key: unknown) => {
    call.writes = true;
    call.deletes = true;
    addKeyOf(key);
    if (isLedger(key)) call.ledgerRewrites.push('delete');
  };
  switch (commandName.replace(/Command$/, '')) {
    case 'GetItem':
      addKeyOf(field(input, 'Key'));
      break;
    case 'PutItem':
      addPut(input, field(input, 'Item'));
      break;
    case 'UpdateItem':
      addUpdate(field(input, 'Key'));
      break;
    case 'DeleteItem':
      addDelete(field(input, 'Key'));
      break;
    case 'Scan':
      call.scans = true;
      break;
    case 'Query': {
      const value = queryPartitionValue(input);
      call.leadingKeys.push(value ?? '');
      break;
    }
    case 'BatchGetItem':
      for (const request of Object.values(record(field(input, 'RequestItems')))) {
        for (const key of list(field(request, 'Keys'))) addKeyOf(key);
      }
      break;
    case 'BatchWriteItem':
      call.writes = true;
      for (const requests of Object.values(record(field(input, 'RequestItems')))) {
        for (const request of list(requests)) {
          const put = field(request, 'PutRequest');
          const del = field(request, 'DeleteRequest');
          // A batch put cannot carry a condition: on a ledger entry it could overwrite one.
          if (put !== undefined) addPut(put, field(put, 'Item'));
          if (del !== undefined) addDelete(field(del, 'Key'));
        }
      }
      break;
    case 'TransactGetItems':
      for (const item of list(field(input, 'TransactItems'))) addKeyOf(field(field(item, 'Get'), 'Key'));
      break;
    case 'TransactWriteItems':
      for (const item of list(field(input, 'TransactItems'))) {
        const put = field(item, 'Put');
        if (put !== undefined) addPut(put, field(put, 'Item'));
        const update = field(item, 'Update');
        if (update !== undefined) addUpdate(field(update, 'Key'));
        const del = field(item, 'Delete');
        if (del !== undefined) addDelete(field(del, 'Key'));
        const check = field(item, 'ConditionCheck');
        if (check !== undefined) addKeyOf(field(check, 'Key'));
      }
      break;
    default:
      // DescribeTable and the like name no item.
      break;
  }
  return call;
}

/** The partition-key value a Query names in its key condition (`PK = :pk` or `#pk = :pk`), on the table or an index. */
function queryPartitionValue(input: unknown): string | undefined {
  const indexName = stringValue(field(input, 'IndexName'));
  const partitionKey = PARTITION_KEY_OF_INDEX.get(indexName);
  const condition = stringValue(field(input, 'KeyConditionExpression'));
  if (!partitionKey || !condition) return undefined;
  const names = record(field(input, 'ExpressionAttributeNames'));
  const values = record(field(input, 'ExpressionAttributeValues'));
  for (const match of condition.matchAll(/(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)/g)) {
    const [, nameToken = '', valueToken = ''] = match;
    const attribute = nameToken.startsWith('#') ? stringValue(names[nameToken]) : nameToken;
    if (attribute === partitionKey) return stringValue(values[valueToken]);
  }
  return undefined;
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value));
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A string key as the document client has it (`"CUST#…"`) or as marshalled (`{ S: "CUST#…" }`). */
function stringValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const s = field(value, 'S');
  return typeof s === 'string' ? s : undefined;
}
