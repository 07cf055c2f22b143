import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import type { AttributionWindows } from '#shared/campaigns/attribution-config.ts';
import { attributePurchase, touchOf, type Attribution, type EmailTouches } from '#shared/measurement/attribution.ts';

/** The customer's latest campaign-email touches (written by record-email-event); none for a new customer. */
export async function readEmailTouches(table: Table, customerId: string): Promise<EmailTouches> {
  const result = await table.doc.send(
    new GetCommand({ TableName: table.name, Key: keys.profile(customerId), ProjectionExpression: 'lastEmailClicked, lastEmailOpened, lastEmailDelivered' }),
  );
  const item = result.Item ?? {};
  return { click: touchOf(item.lastEmailClicked), open: touchOf(item.lastEmailOpened), delivery: touchOf(item.lastEmailDelivered) };
}

/** The attribution of a just-received purchase; refunds and zero orders skip the read (they are never attributed). */
export async function attributionOfPurchase(
  table: Table,
  purchase: { customerId: string; purchasedAt: string; kind: 'purchase' | 'refund'; baseTotalMinor: number },
  windows: AttributionWindows,
): Promise<Attribution | undefined> {
  if (purchase.kind !== 'purchase' || purchase.baseTotalMinor <= 0) return undefined;
  return attributePurchase(await readEmailTouches(table, purchase.customerId), purchase.purchasedAt, purchase.baseTotalMinor, windows);
}
