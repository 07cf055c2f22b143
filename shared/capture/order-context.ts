import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import { NotFoundError } from '#shared/errors.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { SubmissionRecordSchema, type SubmissionRecord } from '#shared/capture/submission-record.ts';

const OrderItemSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  lines: z.array(z.object({ sku: z.string(), name: z.string(), category: z.string(), quantity: z.number() })),
  categoryMinor: z.record(z.string(), z.number()).default({}),
  purchasedAt: z.string(),
  locale: z.string().optional(),
  kind: z.enum(['purchase', 'refund']).default('purchase'),
  /** Set when the customer was erased (shared/privacy): the order stays for bookkeeping, its form is gone. */
  anonymisedAt: z.string().optional(),
  /** The first time its form was opened (the report's incentive funnel). */
  formOpenedAt: z.string().optional(),
});

/** What the form needs to know about an order. */
export type OrderView = z.output<typeof OrderItemSchema>;

/**
 * Records the order's first form view, once: a later view, a reload or a link scanner's second fetch changes nothing.
 * Returns whether this view was the first.
 */
export async function recordFormOpened(table: Table, orderId: string, at: Date): Promise<boolean> {
  return writeIfConditionHolds(() =>
    table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.order(orderId),
        UpdateExpression: 'SET formOpenedAt = :at',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(formOpenedAt)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    ),
  );
}

export interface CustomerContact {
  email: string | undefined;
  customerName: string | undefined;
}

export async function loadOrder(table: Table, orderId: string): Promise<OrderView> {
  const item = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.order(orderId) }))).Item;
  const parsed = OrderItemSchema.safeParse(item);
  if (!parsed.success) throw new NotFoundError('No order matches this link');
  return parsed.data;
}

/**
 * The order behind a form or confirm link: a refund has no form and no incentive, and an erased customer's order
 * must not take a new address under its anonymous id, so both links are treated as unknown (404).
 */
export async function loadFormOrder(table: Table, orderId: string): Promise<OrderView> {
  const order = await loadOrder(table, orderId);
  if (order.kind === 'refund' || order.anonymisedAt !== undefined) throw new NotFoundError('No order matches this link');
  return order;
}

export async function loadContact(table: Table, customerId: string): Promise<CustomerContact> {
  const item = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId), ProjectionExpression: 'email, customerName' })))
    .Item;
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { email: str(item?.email), customerName: str(item?.customerName) };
}

export async function loadSubmission(table: Table, orderId: string, consistent = false): Promise<SubmissionRecord | undefined> {
  const item = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.submission(orderId), ConsistentRead: consistent }))).Item;
  if (!item) return undefined;
  return SubmissionRecordSchema.parse(item);
}
