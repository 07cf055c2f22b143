/**
 * Coupon codes on a purchase: each code Kinship issued (an incentive's code or a campaign coupon, both reserved
 * as `CODE#<code>`) is marked redeemed once, by the first order that uses it. The conditional update makes a
 * second order with the same code, or a racing one, change nothing; a replay of the same order finds its own mark
 * and gets the same answer. Codes Kinship never issued stay on the order only.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { outputIfConditionHolds } from '#shared/table/conditional-write.ts';
import { logger } from '#shared/logger.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';

export type RedeemedCode =
  | { code: string; kind: 'incentive'; orderId: string }
  | { code: string; kind: 'campaign-coupon'; campaignId: string; occurrenceId: string };

/** Codes as Kinship issues them (upper case; pool codes are upper-cased on load), trimmed and without repeats. */
export function normalizeCouponCodes(codes: readonly string[] | undefined): string[] {
  return [...new Set((codes ?? []).map((code) => code.trim().toUpperCase()).filter((code) => code !== ''))];
}

/**
 * Redeems the order's codes (a purchase's only: a refund redeems nothing) and records the ones it redeemed on the
 * order as `redeemedCodes`. Safe to run again for the same order.
 */
export async function redeemCouponCodes(
  table: Table,
  order: { orderId: string; customerId: string; kind: 'purchase' | 'refund' },
  codes: readonly string[],
  now: Date,
): Promise<RedeemedCode[]> {
  if (order.kind !== 'purchase' || codes.length === 0) return [];
  const results = await Promise.all(codes.map((code) => redeemOne(table, code, order.orderId, now)));
  const redeemed = results.filter((r): r is RedeemedCode => r !== undefined);
  if (redeemed.length > 0) {
    await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.order(order.orderId),
        UpdateExpression: 'SET redeemedCodes = :codes',
        ExpressionAttributeValues: { ':codes': redeemed },
      }),
    );
  }
  logger.info('coupon codes on order', { orderId: order.orderId, customerId: order.customerId, codes: codes.length, redeemed: redeemed.length });
  return redeemed;
}

async function redeemOne(table: Table, code: string, orderId: string, now: Date): Promise<RedeemedCode | undefined> {
  const result = await outputIfConditionHolds(() =>
    table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.incentiveCode(code),
        UpdateExpression: 'SET redeemedAt = if_not_exists(redeemedAt, :now), redeemedOrderId = :order',
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(redeemedAt) OR redeemedOrderId = :order)',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':order': orderId },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  // Unknown, or already redeemed by another order.
  if (result === undefined) return undefined;
  return issuerOf(code, result.Attributes ?? {});
}

/** Who issued a code: a campaign (its coupon item names campaign and occurrence) or an order's incentive. */
function issuerOf(code: string, item: Record<string, unknown>): RedeemedCode | undefined {
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const campaignId = str(item.campaignId);
  const occurrenceId = str(item.occurrenceId);
  if (item.kind === 'campaign-coupon' && campaignId !== undefined && occurrenceId !== undefined)
    return { code, kind: 'campaign-coupon', campaignId, occurrenceId };
  const issuingOrder = str(item.orderId);
  if (issuingOrder !== undefined) return { code, kind: 'incentive', orderId: issuingOrder };
  logger.warn('redeemed code has no issuer', { orderId: str(item.redeemedOrderId) });
  return undefined;
}
