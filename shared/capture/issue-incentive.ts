import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { fullJitter, retry } from '#shared/runtime/retry.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { PoolExhaustedError } from '#shared/capture/capture-errors.ts';
import { chooseIncentive } from '#shared/capture/choose-incentive.ts';
import { freePoolCodes } from '#shared/capture/coupon-pool.ts';
import { generateCode } from '#shared/capture/incentive-codes.ts';
import type { IncentiveRules } from '#shared/capture/incentive-config.ts';
import type { OrderView } from '#shared/capture/order-context.ts';

/** The INCENTIVE#<orderId> item: what the customer got. `validUntil` (not `expiresAt`, the table's TTL attribute) is the coupon's expiry. */
export const IssuedIncentiveSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  type: z.enum(['coupon', 'warranty', 'gift-card']),
  rule: z.string(),
  /** Coupon code, gift-card code, or warranty certificate number. */
  code: z.string(),
  codeSource: z.enum(['generated', 'pool']),
  pool: z.string().optional(),
  percent: z.number().optional(),
  amountMinor: z.number().int().optional(),
  currency: z.string().optional(),
  appliesTo: z.array(z.string()).optional(),
  months: z.number().int().optional(),
  /** Warranty: the order's products it extends. */
  coversSkus: z.array(z.string()).optional(),
  validUntil: z.string().optional(),
  /** consentAddressOf the confirmed address it was issued to: its code is shown to that address only. */
  issuedTo: z.string().optional(),
  issuedAt: z.string(),
  notifiedAt: z.string().optional(),
});
export type IssuedIncentive = z.output<typeof IssuedIncentiveSchema>;

const MAX_ATTEMPTS = 12;

export interface IssueDeps {
  table: Table;
  rules: IncentiveRules;
  now: () => Date;
}

/**
 * Issues the order's incentive exactly once, however many confirm clicks race: the INCENTIVE#<orderId> item is
 * put with attribute_not_exists in the same transaction that reserves its code (CODE#<code>; for a pool code also
 * FREE# → CLAIMED#), so the losers' transactions change nothing and they read the winner's item.
 */
export async function issueIncentiveOnce(deps: IssueDeps, order: OrderView, issuedTo?: string): Promise<{ incentive: IssuedIncentive; issuedNow: boolean }> {
  return retry(
    async () => {
      const existing = await readIncentive(deps.table, order.orderId);
      if (existing) return { incentive: existing, issuedNow: false };
      const { incentive, transaction } = await draftIncentive(deps, order, issuedTo);
      await deps.table.doc.send(new TransactWriteCommand(transaction));
      return { incentive, issuedNow: true };
    },
    {
      attempts: MAX_ATTEMPTS,
      backoff: fullJitter(10, 500),
      // Another click won (its item now exists), a code collided, or a pool code was taken: read again and retry.
      retryOn: (error) => error instanceof TransactionCanceledException,
      giveUp: (error, attempts) => new Error(`Incentive for order ${order.orderId} still contended after ${attempts} attempts`, { cause: error }),
    },
  );
}

export async function readIncentive(table: Table, orderId: string): Promise<IssuedIncentive | undefined> {
  const item = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.incentive(orderId), ConsistentRead: true }))).Item;
  return item ? IssuedIncentiveSchema.parse(item) : undefined;
}

async function draftIncentive(
  deps: IssueDeps,
  order: OrderView,
  issuedTo: string | undefined,
): Promise<{ incentive: IssuedIncentive; transaction: TransactWriteCommandInput }> {
  const now = deps.now();
  const { ruleKey, rule } = chooseIncentive(deps.rules, order.categoryMinor);
  const base = {
    orderId: order.orderId,
    customerId: order.customerId,
    rule: ruleKey,
    ...(issuedTo === undefined ? {} : { issuedTo }),
    issuedAt: now.toISOString(),
  };
  const validUntil = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
  const table = deps.table.name;
  const putIncentive = (incentive: IssuedIncentive) => ({
    Put: {
      TableName: table,
      Item: { ...keys.incentive(order.orderId), entityType: 'INCENTIVE', ...incentive },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  });
  const reserveCode = (code: string, pool?: string) => ({
    Put: {
      TableName: table,
      Item: {
        ...keys.incentiveCode(code),
        entityType: 'INCENTIVE_CODE',
        kind: 'incentive',
        code,
        ...(pool === undefined ? {} : { pool }),
        orderId: order.orderId,
        customerId: order.customerId,
        createdAt: base.issuedAt,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  });

  if (rule.type === 'warranty') {
    const code = generateCode(rule.certificatePrefix);
    const coversSkus = order.lines.filter((line) => ruleKey === 'default' || line.category === ruleKey).map((line) => line.sku);
    const incentive: IssuedIncentive = { ...base, type: 'warranty', code, codeSource: 'generated', months: rule.months, coversSkus };
    return { incentive, transaction: { TransactItems: [putIncentive(incentive), reserveCode(code)] } };
  }

  const value =
    rule.type === 'coupon'
      ? { type: 'coupon' as const, percent: rule.percent, amountMinor: rule.amountMinor, appliesTo: rule.appliesTo }
      : { type: 'gift-card' as const, amountMinor: rule.amountMinor };
  const common = { ...base, ...value, currency: rule.currency, validUntil: validUntil(rule.validDays) };
  if (rule.code.source === 'generated') {
    const code = generateCode(rule.code.prefix);
    const incentive: IssuedIncentive = { ...common, code, codeSource: 'generated' };
    return { incentive, transaction: { TransactItems: [putIncentive(incentive), reserveCode(code)] } };
  }
  const pool = rule.code.pool;
  const free = await freePoolCodes(deps.table, pool);
  const code = free[Math.floor(Math.random() * free.length)];
  if (code === undefined) throw new PoolExhaustedError(pool);
  const incentive: IssuedIncentive = { ...common, code, codeSource: 'pool', pool };
  return {
    incentive,
    transaction: {
      TransactItems: [
        putIncentive(incentive),
        { Delete: { TableName: table, Key: keys.poolFreeCode(pool, code), ConditionExpression: 'attribute_exists(PK)' } },
        {
          Put: {
            TableName: table,
            Item: { ...keys.poolClaimedCode(pool, code), entityType: 'POOL_CODE', pool, code, orderId: order.orderId, claimedAt: base.issuedAt },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        // The CODE# item makes a pool code findable by code when a purchase redeems it, like a generated one.
        reserveCode(code, pool),
      ],
    },
  };
}
