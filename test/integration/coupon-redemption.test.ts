import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CampaignSchema } from '#shared/campaigns/campaign-config.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { loadPoolCodes } from '#shared/capture/coupon-pool.ts';
import type { IncentiveRule } from '#shared/capture/incentive-config.ts';
import { issueIncentiveOnce } from '#shared/capture/issue-incentive.ts';
import { loadOrder } from '#shared/capture/order-context.ts';
import { createEventBridgeClient, type EventBus } from '#shared/events/publish-events.ts';
import { recordPurchase, type RecordPurchaseDeps } from '#shared/purchases/record-purchase.ts';
import { sendCampaignEmail } from '#shared/sending/send-campaign-email.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { startPutEventsEndpoint, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { aPurchase, aShopConfig } from '#test/support/builders.ts';
import { createTestTable, putSubscriber } from '#test/support/test-table.ts';

let table: Table;
let endpoint: PutEventsEndpoint;
let bus: EventBus;
let deps: RecordPurchaseDeps;
let orderSeq = 0;
const now = new Date('2026-12-03T12:00:00Z');

beforeAll(async () => {
  table = await createTestTable('coupons');
  endpoint = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  bus = { client: createEventBridgeClient(endpoint.endpoint), name: 'kinship' };
  deps = { table, bus, config: aShopConfig(), signingKey: 'k', publicBaseUrl: 'http://localhost:3000', now: () => now };
});
afterAll(() => endpoint.stop());
beforeEach(() => {
  orderSeq++;
});

const generatedCoupon: IncentiveRule = {
  type: 'coupon',
  percent: 10,
  currency: 'EUR',
  appliesTo: [],
  validDays: 90,
  code: { source: 'generated', prefix: 'THANKS' },
};
const poolCoupon: IncentiveRule = {
  type: 'coupon',
  amountMinor: 1500,
  currency: 'EUR',
  appliesTo: [],
  validDays: 60,
  code: { source: 'pool', pool: 'spring-2026' },
};

/** Records an order and issues its incentive under `rule`, as confirming the form does; returns the code. */
async function incentiveCode(rule: IncentiveRule, email: string): Promise<{ code: string; orderId: string }> {
  const orderId = `ISSUE-${orderSeq}-${rule.type}-${email}`;
  await recordPurchase(deps, aPurchase({ orderId, customerEmail: email }));
  const { incentive } = await issueIncentiveOnce({ table, rules: { default: rule, categories: new Map() }, now: () => now }, await loadOrder(table, orderId));
  return { code: incentive.code, orderId };
}

async function buy(orderId: string, couponCodes: string[]): Promise<void> {
  await recordPurchase(deps, aPurchase({ orderId, customerEmail: 'buyer@example.com', purchasedAt: now.toISOString(), couponCodes }));
}

const get = async (key: { PK: string; SK: string }) => (await table.doc.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }))).Item;

describe('coupon codes on purchases', () => {
  it('redeems an incentive code once: the second order using it keeps the code but does not redeem it again', async () => {
    const { code, orderId: issuedFor } = await incentiveCode(generatedCoupon, 'form-filler@example.com');
    await buy(`R-${orderSeq}-a`, [code.toLowerCase()]);
    await buy(`R-${orderSeq}-b`, [code]);

    expect(await get(keys.incentiveCode(code))).toMatchObject({ redeemedAt: now.toISOString(), redeemedOrderId: `R-${orderSeq}-a` });
    expect(await get(keys.order(`R-${orderSeq}-a`))).toMatchObject({ couponCodes: [code], redeemedCodes: [{ code, kind: 'incentive', orderId: issuedFor }] });
    const second = await get(keys.order(`R-${orderSeq}-b`));
    expect(second?.couponCodes).toEqual([code]);
    expect(second?.redeemedCodes).toBeUndefined();
  });

  it('does not redeem again, nor move the redemption time, when the redeeming order is replayed', async () => {
    const { code } = await incentiveCode(generatedCoupon, 'replay-filler@example.com');
    const input = aPurchase({ orderId: `R-${orderSeq}`, customerEmail: 'buyer@example.com', purchasedAt: now.toISOString(), couponCodes: [code] });
    await recordPurchase(deps, input);
    const later = new Date(now.getTime() + 3_600_000);
    expect((await recordPurchase({ ...deps, now: () => later }, input)).outcome).toBe('replayed');
    expect(await get(keys.incentiveCode(code))).toMatchObject({ redeemedAt: now.toISOString(), redeemedOrderId: `R-${orderSeq}` });
  });

  it('finds a pool code by its code and redeems it on the incentive that handed it out', async () => {
    await loadPoolCodes(table, 'spring-2026', ['SPRING-0001'], { now });
    const { code, orderId: issuedFor } = await incentiveCode(poolCoupon, 'pool-filler@example.com');
    expect(code).toBe('SPRING-0001');
    await buy(`R-${orderSeq}`, [code]);
    expect(await get(keys.order(`R-${orderSeq}`))).toMatchObject({ redeemedCodes: [{ code, kind: 'incentive', orderId: issuedFor }] });
    expect(await get(keys.incentiveCode(code))).toMatchObject({ pool: 'spring-2026', redeemedOrderId: `R-${orderSeq}` });
  });

  it('redeems a campaign coupon once, on the campaign occurrence that mailed it', async () => {
    const winBack = CampaignSchema.parse({
      id: 'win-back',
      kind: 'triggered',
      trigger: { event: 'SegmentEntered' },
      coupon: { discount: { percent: 15 }, validDays: 30, prefix: 'BACK' },
    });
    const customerId = 'c_coupon_recipient';
    await putSubscriber(table, customerId, 'recipient@example.com');
    const outcome = await sendCampaignEmail(
      {
        table,
        bus,
        email: { send: async () => ({ messageId: 'ses-1' }) },
        templates: new CampaignTemplates(join(process.cwd(), 'config', 'templates'), ['win-back'], 'en'),
        campaigns: new Map([[winBack.id, winBack]]),
        policy: { frequencyCap: { maxEmails: 5, perDays: 7 }, quietHours: undefined, shopTimeZone: 'UTC' },
        shop: { name: 'Shop', url: 'https://shop.example', baseCurrency: 'EUR' },
        publicBaseUrl: 'https://shop.example',
        signingKey: 'k',
        now: () => now,
      },
      { campaignId: 'win-back', occurrenceId: 'evt-7', customerId, triggeredAt: now.toISOString() },
    );
    expect(outcome.outcome).toBe('sent');
    const code = (await get(keys.sendClaim('win-back', 'evt-7', customerId)))?.couponCode;
    if (typeof code !== 'string') throw new Error('the send recorded no coupon code');

    await buy(`R-${orderSeq}-a`, [code]);
    await buy(`R-${orderSeq}-b`, [code]);
    expect(await get(keys.order(`R-${orderSeq}-a`))).toMatchObject({
      redeemedCodes: [{ code, kind: 'campaign-coupon', campaignId: 'win-back', occurrenceId: 'evt-7' }],
    });
    expect((await get(keys.order(`R-${orderSeq}-b`)))?.redeemedCodes).toBeUndefined();
    expect(await get(keys.incentiveCode(code))).toMatchObject({ redeemedOrderId: `R-${orderSeq}-a` });
  });

  it('keeps a code Kinship never issued on the order without redeeming anything, and a refund redeems nothing', async () => {
    const { code } = await incentiveCode(generatedCoupon, 'refund-filler@example.com');
    await buy(`R-${orderSeq}-a`, ['  SHOP-OWN-CODE ', 'shop-own-code']);
    expect(await get(keys.order(`R-${orderSeq}-a`))).toMatchObject({ couponCodes: ['SHOP-OWN-CODE'] });
    expect((await get(keys.order(`R-${orderSeq}-a`)))?.redeemedCodes).toBeUndefined();
    expect(await get(keys.incentiveCode('SHOP-OWN-CODE'))).toBeUndefined();

    await recordPurchase(
      deps,
      aPurchase({
        orderId: `R-${orderSeq}-r`,
        customerEmail: 'buyer@example.com',
        purchasedAt: now.toISOString(),
        total: -10,
        items: [{ sku: 'X', name: 'X', category: 'tents', price: -10, quantity: 1 }],
        couponCodes: [code],
      }),
    );
    expect((await get(keys.incentiveCode(code)))?.redeemedAt).toBeUndefined();
  });
});
