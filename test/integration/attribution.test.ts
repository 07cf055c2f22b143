import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CampaignConversion } from '#shared/events/campaign-conversion.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { recordPurchase, type RecordPurchaseDeps } from '#shared/purchases/record-purchase.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { startPutEventsEndpoint, type BusEvent, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { aPurchase, aShopConfig } from '#test/support/builders.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

let table: Table;
let endpoint: PutEventsEndpoint;
let published: BusEvent[] = [];
let deps: RecordPurchaseDeps;
const now = new Date('2026-11-25T12:00:00Z');
const DAY = 86_400_000;
const daysBeforeNow = (days: number) => new Date(now.getTime() - days * DAY).toISOString();

beforeAll(async () => {
  table = await createTestTable('attribution');
  endpoint = await startPutEventsEndpoint({ port: 0, onEvents: (events) => published.push(...events) });
  deps = {
    table,
    bus: { client: createEventBridgeClient(endpoint.endpoint), name: 'kinship' },
    config: aShopConfig(),
    signingKey: TEST_SIGNING_KEY,
    publicBaseUrl: 'http://localhost:3000',
    now: () => now,
  };
});
afterAll(() => endpoint.stop());
beforeEach(() => {
  published = [];
});

/** The profile fields record-email-event keeps (contract 5), written directly. */
async function touched(email: string, field: 'lastEmailClicked' | 'lastEmailOpened' | 'lastEmailDelivered', campaignId: string, at: string): Promise<void> {
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.profile(customerIdForEmail(email, TEST_SIGNING_KEY)),
      UpdateExpression: 'SET #field = :touch',
      ExpressionAttributeNames: { '#field': field },
      ExpressionAttributeValues: { ':touch': { at, campaignId, occurrenceId: `${campaignId}-1`, messageId: `ses-${campaignId}` } },
    }),
  );
}

async function orderItem(orderId: string): Promise<Record<string, unknown> | undefined> {
  return (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.order(orderId), ConsistentRead: true }))).Item;
}

const conversions = () => published.filter((e) => e['detail-type'] === 'CampaignConversion').map((e) => CampaignConversion.parse(e.detail));

describe('attribution of purchases to campaign emails', () => {
  it('attributes a purchase 2 days after a click to that email, on the order and as one CampaignConversion', async () => {
    const email = 'clicker@example.com';
    await touched(email, 'lastEmailClicked', 'win-back', daysBeforeNow(2));
    await touched(email, 'lastEmailOpened', 'monthly-newsletter', daysBeforeNow(0.5));
    await recordPurchase(deps, aPurchase({ orderId: 'A-1', customerEmail: email, purchasedAt: now.toISOString(), total: 249.9 }));

    const attribution = {
      campaignId: 'win-back',
      occurrenceId: 'win-back-1',
      messageId: 'ses-win-back',
      touch: 'click',
      touchedAt: daysBeforeNow(2),
      revenueMinor: 24_990,
    };
    expect((await orderItem('A-1'))?.attribution).toEqual(attribution);
    expect(conversions()).toEqual([
      { ...attribution, orderId: 'A-1', customerId: customerIdForEmail(email, TEST_SIGNING_KEY), purchasedAt: now.toISOString(), currency: 'EUR' },
    ]);
  });

  it('does not attribute a purchase 10 days after a click', async () => {
    const email = 'old-clicker@example.com';
    await touched(email, 'lastEmailClicked', 'win-back', daysBeforeNow(10));
    await recordPurchase(deps, aPurchase({ orderId: 'A-2', customerEmail: email, purchasedAt: now.toISOString() }));
    expect((await orderItem('A-2'))?.attribution).toBeUndefined();
    expect(conversions()).toEqual([]);
    expect(published.map((e) => e['detail-type'])).toEqual(['PurchaseRecorded']);
  });

  it('attributes to an open when there is no recent click, and never a refund', async () => {
    const email = 'opener@example.com';
    await touched(email, 'lastEmailOpened', 'gold-reward', daysBeforeNow(1));
    await recordPurchase(deps, aPurchase({ orderId: 'A-3', customerEmail: email, purchasedAt: now.toISOString() }));
    expect((await orderItem('A-3'))?.attribution).toMatchObject({ campaignId: 'gold-reward', touch: 'open' });

    await recordPurchase(
      deps,
      aPurchase({
        orderId: 'A-4',
        customerEmail: email,
        purchasedAt: now.toISOString(),
        total: -249.9,
        items: [{ sku: 'TENT-2P', name: 'Tent', category: 'tents', price: -249.9, quantity: 1 }],
      }),
    );
    expect((await orderItem('A-4'))?.attribution).toBeUndefined();
    expect(conversions().map((c) => c.orderId)).toEqual(['A-3']);
  });

  it('publishes no second CampaignConversion when the purchase is replayed', async () => {
    const email = 'replayer@example.com';
    await touched(email, 'lastEmailClicked', 'win-back', daysBeforeNow(1));
    const input = aPurchase({ orderId: 'A-5', customerEmail: email, purchasedAt: now.toISOString() });
    await recordPurchase(deps, input);
    expect((await recordPurchase(deps, input)).outcome).toBe('replayed');
    expect(conversions().map((c) => c.orderId)).toEqual(['A-5']);
  });

  it('publishes the stored attribution when a replay finds the first attempt died before publishing', async () => {
    const email = 'crashed@example.com';
    await touched(email, 'lastEmailClicked', 'win-back', daysBeforeNow(1));
    const input = aPurchase({ orderId: 'A-6', customerEmail: email, purchasedAt: now.toISOString() });
    await recordPurchase(deps, input);
    // As if the first attempt had stored the order and crashed before PutEvents; meanwhile a newer click arrived.
    await table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.order('A-6'),
        UpdateExpression: 'SET eventPublished = :no',
        ExpressionAttributeValues: { ':no': false },
      }),
    );
    await touched(email, 'lastEmailClicked', 'monthly-newsletter', daysBeforeNow(0.1));
    published = [];

    await recordPurchase(deps, input);
    expect(conversions()).toEqual([expect.objectContaining({ orderId: 'A-6', campaignId: 'win-back', touch: 'click' })]);
    expect((await orderItem('A-6'))?.eventPublished).toBe(true);
    await recordPurchase(deps, input);
    expect(conversions()).toHaveLength(1);
  });
});
