/**
 * The report over a small seeded shop in DynamoDB Local, through the CLI (`--json` and HTML) and the route.
 * Every expected figure is computed HERE from the seed's own description (plain loops and the textbook
 * formulas), never by calling the report code.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { handleReportRequest } from '#shared/reports/report-route.ts';
import { loadReportSettings } from '#shared/reports/report-settings.ts';
import type { Table } from '#shared/table/table-client.ts';
import {
  aCampaignStatsItem,
  aCodeItem,
  aDailyStatsItem,
  aHeldOutClaimItem,
  anEmailEventItem,
  anIncentiveItem,
  anOccurrenceItem,
  anOrderItem,
  aProfileItem,
  aSegmenterRunItem,
  aSentClaimItem,
  aSubmissionItem,
} from '#test/support/report-builders.ts';
import { runCli } from '#test/support/run-cli.ts';
import { createTestTable } from '#test/support/test-table.ts';

// ---- The shop, described as data the test reasons about. -------------------------------------------------
const CUSTOMERS = 40;
const SENT_AT = Date.parse('2026-05-01T09:00:00.000Z');
const DAY = 86_400_000;
const WINDOW_DAYS = 5; // config/campaigns.yaml attribution.clickWindowDays (default)
const iso = (ms: number) => new Date(ms).toISOString();
const id = (i: number) => `c${String(i).padStart(2, '0')}`;
const heldOut = (i: number) => i >= 30;
const heardFrom = (i: number) => (i % 5 === 4 ? undefined : ['friend', 'search', 'social'][i % 3]);
const firstOrderAt = (i: number) => Date.parse(`2026-0${1 + (i % 4)}-10T12:00:00.000Z`);
const firstOrderTotal = (i: number) => (i + 1) * 1000;
/** tents → warranty, clothing → gift-card in config/incentives.yaml; boots have no rule → the default coupon. */
const category = (i: number) => ['tents', 'clothing', 'boots'][i % 3] ?? 'boots';
const incentiveType = (i: number) => ({ tents: 'warranty', clothing: 'gift-card', boots: 'coupon' })[category(i)] ?? 'coupon';
/** Every third customer buys again, (i % 7) + 0.5 days after the newsletter. */
const buysAfterEmail = (i: number) => i % 3 === 0;
const secondOrderAt = (i: number) => SENT_AT + ((i % 7) + 0.5) * DAY;
const SECOND_TOTAL = 5000;
const clicked = (i: number) => !heldOut(i) && i % 4 === 0;
const bounced = (i: number) => !heldOut(i) && i % 10 === 9;
/** Opened the form: every one who submitted did, and so did some who then left it (a view is recorded once per order). */
const opensForm = (i: number) => i < 26;
const submits = (i: number) => i < 20;
const confirms = (i: number) => submits(i) && i % 2 === 0;
const redeems = (i: number) => confirms(i) && i % 4 === 0;
const satisfactionOf = (i: number) => (i % 5) + 1;
const RUNS: { asOf: string; counts: Record<string, number> }[] = [
  { asOf: '2026-02-01T00:00:00.000Z', counts: { gold: 4, 'one-time': 20 } },
  { asOf: '2026-03-01T00:00:00.000Z', counts: { gold: 5, 'one-time': 25, lapsed: 3 } },
  { asOf: '2026-06-01T00:00:00.000Z', counts: { gold: 6, 'one-time': 22, lapsed: 9 } },
];
const DAILY = [
  { day: '2026-05-01', sent: 30, delivered: 27, bounced: 3, complained: 1 },
  { day: '2026-05-02', sent: 0, delivered: 0, bounced: 0, complained: 0 },
];
const STATS = { sent: 30, delivered: 27, bounced: 3, complained: 1, opened: 15, clicked: 8, unsubscribed: 2 };

function seedItems(): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const customerId = id(i);
    const hf = heardFrom(i);
    items.push(aProfileItem({ customerId, ...(hf ? { heardFrom: hf } : {}) }));
    items.push(
      anOrderItem({
        orderId: `first-${i}`,
        customerId,
        purchasedAt: iso(firstOrderAt(i)),
        totalMinor: firstOrderTotal(i),
        categoryMinor: { [category(i)]: firstOrderTotal(i) },
        ...(opensForm(i) && !submits(i) ? { formOpenedAt: iso(firstOrderAt(i)) } : {}),
      }),
    );
    if (buysAfterEmail(i)) {
      const attribution = clicked(i) && secondOrderAt(i) <= SENT_AT + WINDOW_DAYS * DAY ? { campaignId: 'newsletter', occurrenceId: '2026-05-01' } : undefined;
      items.push(
        anOrderItem({
          orderId: `second-${i}`,
          customerId,
          purchasedAt: iso(secondOrderAt(i)),
          totalMinor: SECOND_TOTAL,
          categoryMinor: { boots: SECOND_TOTAL },
          ...(attribution ? { attribution } : {}),
        }),
      );
    }
    if (submits(i))
      items.push(
        aSubmissionItem({
          orderId: `first-${i}`,
          customerId,
          submittedAt: iso(firstOrderAt(i) + DAY),
          satisfaction: satisfactionOf(i),
          ...(confirms(i) ? { confirmedAt: iso(firstOrderAt(i) + 2 * DAY) } : {}),
        }),
      );
    if (confirms(i)) {
      const type = incentiveType(i);
      if (type !== 'coupon' && type !== 'warranty' && type !== 'gift-card') throw new Error(type);
      items.push(anIncentiveItem({ orderId: `first-${i}`, customerId, type, code: `CODE${i}`, issuedAt: iso(firstOrderAt(i) + 2 * DAY) }));
      items.push(aCodeItem({ code: `CODE${i}`, orderId: `first-${i}`, ...(redeems(i) ? { redeemedAt: iso(SENT_AT), redeemedOrderId: `second-${i}` } : {}) }));
    }
    const occ = { campaignId: 'newsletter', occurrenceId: '2026-05-01', customerId };
    if (heldOut(i)) items.push(aHeldOutClaimItem({ ...occ, heldOutAt: iso(SENT_AT) }));
    else
      items.push(
        aSentClaimItem({
          ...occ,
          sentAt: iso(SENT_AT),
          ...(bounced(i) ? { bouncedAt: iso(SENT_AT) } : { deliveredAt: iso(SENT_AT) }),
          ...(clicked(i) ? { firstOpenedAt: iso(SENT_AT), firstClickedAt: iso(SENT_AT) } : {}),
        }),
      );
    // Email events are in the table (the report scans past them) but the report reads the claims and counters.
    items.push(
      anEmailEventItem({ customerId, at: iso(SENT_AT), eventType: 'send', messageId: `m-${i}`, campaignId: 'newsletter', occurrenceId: '2026-05-01' }),
    );
  }
  items.push(anOccurrenceItem({ campaignId: 'newsletter', occurrenceId: '2026-05-01', recipients: CUSTOMERS, plannedAt: iso(SENT_AT - 60_000) }));
  items.push(aCampaignStatsItem({ campaignId: 'newsletter', occurrenceId: '2026-05-01', ...STATS }));
  for (const d of DAILY) items.push(aDailyStatsItem(d));
  for (const run of RUNS) items.push(aSegmenterRunItem(run));
  // Outside the period (--from 2026-01-01): an old order and its customer must not count.
  items.push(
    aProfileItem({ customerId: 'old', heardFrom: 'press' }),
    anOrderItem({ orderId: 'old-1', customerId: 'old', purchasedAt: '2025-06-01T00:00:00.000Z', totalMinor: 999 }),
  );
  return items;
}

async function seed(table: Table, items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await table.doc.send(new BatchWriteCommand({ RequestItems: { [table.name]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}

// ---- Expected figures, by hand. ----------------------------------------------------------------------
function expected() {
  const group = (held: boolean) => {
    const revenue: number[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      if (heldOut(i) !== held) continue;
      const inWindow = buysAfterEmail(i) && secondOrderAt(i) > SENT_AT && secondOrderAt(i) <= SENT_AT + WINDOW_DAYS * DAY;
      revenue.push(inWindow ? SECOND_TOTAL : 0);
    }
    const n = revenue.length;
    const converters = revenue.filter((r) => r > 0).length;
    const mean = revenue.reduce((a, b) => a + b, 0) / n;
    const variance = revenue.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1);
    return { n, converters, p: converters / n, mean, variance };
  };
  const sent = group(false);
  const held = group(true);
  const se = Math.sqrt((sent.p * (1 - sent.p)) / sent.n + (held.p * (1 - held.p)) / held.n);
  let converted = 0;
  for (let i = 0; i < CUSTOMERS; i++) if (clicked(i) && buysAfterEmail(i) && secondOrderAt(i) <= SENT_AT + WINDOW_DAYS * DAY) converted++;
  return { sent, held, waldLow: sent.p - held.p - 1.959964 * se, waldHigh: sent.p - held.p + 1.959964 * se, converted };
}

const Report = z.object({
  campaigns: z.array(
    z.object({
      campaignId: z.string(),
      planned: z.number(),
      sent: z.number(),
      heldOut: z.number(),
      delivered: z.number(),
      bounced: z.number(),
      complained: z.number(),
      opened: z.number(),
      clicked: z.number(),
      unsubscribed: z.number(),
      converted: z.number(),
      revenueMinor: z.number(),
      holdout: z.object({
        sent: z.object({ recipients: z.number(), converters: z.number(), revenuePerRecipientMinor: z.number() }),
        heldOut: z.object({ recipients: z.number(), converters: z.number(), revenuePerRecipientMinor: z.number() }),
        conversionLift: z.object({ difference: z.number(), low: z.number(), high: z.number() }),
        revenueLift: z.object({ difference: z.number(), low: z.number(), high: z.number() }),
      }),
    }),
  ),
  incentives: z.array(
    z.object({
      incentiveType: z.string(),
      orders: z.number(),
      formOpened: z.number(),
      submitted: z.number(),
      confirmed: z.number(),
      issued: z.number(),
      redeemed: z.number(),
    }),
  ),
  acquisition: z.array(z.object({ heardFrom: z.string(), customers: z.number(), averageValue12mMinor: z.number(), repeatRate: z.number() })),
  satisfaction: z.object({ responses: z.number(), distribution: z.array(z.object({ score: z.number(), count: z.number() })) }),
  cohorts: z.array(z.object({ cohort: z.string(), customers: z.number(), repeated: z.number() })),
  segments: z.object({ runs: z.number(), latest: z.array(z.object({ segment: z.string(), members: z.number() })) }),
  deliverability: z.object({ bounceRate: z.number(), complaintRate: z.number(), bounceOverThreshold: z.boolean(), complaintOverThreshold: z.boolean() }),
});

let table: Table & { endpoint: string };
let target: string[];
let report: z.infer<typeof Report>;

beforeAll(async () => {
  table = await createTestTable('report');
  await seed(table, seedItems());
  target = ['--endpoint', table.endpoint, '--table', table.name];
  const run = await runCli(['report', '--json', '--from', '2026-01-01', '--to', '2026-12-31', ...target], { KINSHIP_CONFIG_DIR: 'config' });
  expect(run.code, run.err).toBe(0);
  expect(run.err).toMatch(/report: scanned \d+ items/);
  report = Report.parse(JSON.parse(run.out));
});

describe('npx kinship report --json over a seeded shop', () => {
  it('gives the campaign funnel from the planned audience, the claims and the counters, and the attributed orders', () => {
    const e = expected();
    const [newsletter] = report.campaigns;
    expect(report.campaigns).toHaveLength(1);
    expect(newsletter).toMatchObject({
      campaignId: 'newsletter',
      planned: CUSTOMERS,
      heldOut: 10,
      ...STATS,
      converted: e.converted,
      revenueMinor: e.converted * SECOND_TOTAL,
    });
  });

  it('compares sent with held out: conversion within the click window, revenue per recipient, Wald and Welch intervals', () => {
    const e = expected();
    const h = report.campaigns[0]?.holdout;
    expect(h?.sent).toMatchObject({ recipients: e.sent.n, converters: e.sent.converters });
    expect(h?.heldOut).toMatchObject({ recipients: e.held.n, converters: e.held.converters });
    expect(h?.sent.revenuePerRecipientMinor).toBeCloseTo(e.sent.mean, 9);
    expect(h?.conversionLift.difference).toBeCloseTo(e.sent.p - e.held.p, 12);
    expect(h?.conversionLift.low).toBeCloseTo(e.waldLow, 5);
    expect(h?.conversionLift.high).toBeCloseTo(e.waldHigh, 5);
    // Welch: SE from the two sample variances; the interval is difference ± t·SE with t between z and t(ν=9).
    const se = Math.sqrt(e.sent.variance / e.sent.n + e.held.variance / e.held.n);
    const difference = e.sent.mean - e.held.mean;
    expect(h?.revenueLift.difference).toBeCloseTo(difference, 9);
    const t = ((h?.revenueLift.high ?? 0) - difference) / se;
    expect(t).toBeGreaterThan(1.96);
    expect(t).toBeLessThan(2.262);
  });

  it('follows each incentive type through the funnel', () => {
    const rows = new Map<string, { orders: number; formOpened: number; submitted: number; confirmed: number; issued: number; redeemed: number }>();
    for (let i = 0; i < CUSTOMERS; i++) {
      // First orders have their category's type; the second orders are boots (coupon) and never get a form.
      for (const [type, isFirst] of [[incentiveType(i), true], ...(buysAfterEmail(i) ? [['coupon', false] as const] : [])] as const) {
        const row = rows.get(type) ?? { orders: 0, formOpened: 0, submitted: 0, confirmed: 0, issued: 0, redeemed: 0 };
        row.orders++;
        if (isFirst && opensForm(i)) row.formOpened++;
        if (isFirst && submits(i)) row.submitted++;
        if (isFirst && confirms(i)) {
          row.confirmed++;
          row.issued++;
        }
        if (isFirst && redeems(i)) row.redeemed++;
        rows.set(type, row);
      }
    }
    for (const [type, row] of rows)
      expect(
        report.incentives.find((r) => r.incentiveType === type),
        type,
      ).toMatchObject(row);
    expect(report.incentives).toHaveLength(rows.size);
  });

  it('groups new customers by where they heard of the shop, with 12-month value and repeat rate', () => {
    const rows = new Map<string, { customers: number; value: number; repeaters: number }>();
    for (let i = 0; i < CUSTOMERS; i++) {
      const key = heardFrom(i) ?? 'not answered';
      const row = rows.get(key) ?? { customers: 0, value: 0, repeaters: 0 };
      row.customers++;
      row.value += firstOrderTotal(i) + (buysAfterEmail(i) ? SECOND_TOTAL : 0);
      if (buysAfterEmail(i)) row.repeaters++;
      rows.set(key, row);
    }
    expect(report.acquisition.map((r) => r.heardFrom).sort()).toEqual([...rows.keys()].sort());
    for (const [key, row] of rows) {
      const got = report.acquisition.find((r) => r.heardFrom === key);
      expect(got?.customers, key).toBe(row.customers);
      expect(got?.averageValue12mMinor, key).toBeCloseTo(row.value / row.customers, 9);
      expect(got?.repeatRate, key).toBeCloseTo(row.repeaters / row.customers, 12);
    }
  });

  it('counts satisfaction answers per score', () => {
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < CUSTOMERS; i++) if (submits(i)) counts[satisfactionOf(i) - 1] = (counts[satisfactionOf(i) - 1] ?? 0) + 1;
    expect(report.satisfaction.distribution.map((d) => d.count)).toEqual(counts);
    expect(report.satisfaction.responses).toBe(20);
  });

  it('gives one-time → repeat by first-purchase month', () => {
    const cohorts = new Map<string, { customers: number; repeated: number }>();
    for (let i = 0; i < CUSTOMERS; i++) {
      const month = iso(firstOrderAt(i)).slice(0, 7);
      const row = cohorts.get(month) ?? { customers: 0, repeated: 0 };
      row.customers++;
      if (buysAfterEmail(i)) row.repeated++;
      cohorts.set(month, row);
    }
    expect(report.cohorts.map(({ cohort, customers, repeated }) => [cohort, { customers, repeated }])).toEqual(
      [...cohorts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  });

  it('gives segment sizes at the last run and deliverability against the limits', () => {
    expect(report.segments.runs).toBe(RUNS.length);
    expect(Object.fromEntries(report.segments.latest.map((s) => [s.segment, s.members]))).toEqual(RUNS[2]?.counts);
    expect(report.deliverability.bounceRate).toBeCloseTo(3 / 30, 12);
    expect(report.deliverability.complaintRate).toBeCloseTo(1 / 30, 12);
    expect(report.deliverability.bounceOverThreshold).toBe(true);
    expect(report.deliverability.complaintOverThreshold).toBe(true);
  });
});

describe('npx kinship report (HTML) and its usage errors', () => {
  it('writes one self-contained page with a chart per section', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kinship-report-')), 'report.html');
    const run = await runCli(['report', '--out', out, ...target], { KINSHIP_CONFIG_DIR: 'config' });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain(out);
    const page = readFileSync(out, 'utf8');
    expect(page.match(/<svg xmlns=/g)?.length).toBeGreaterThanOrEqual(7);
    expect(page).not.toMatch(/<script/i);
  });

  it.each([
    [['--from', '2026-13-01'], /--from must be a day as YYYY-MM-DD/],
    [['--from', '2026-05-01', '--to', '2026-04-01'], /is after to/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--segments', '0'], /--segments must be a whole number/],
  ])('exits 2 with a usage message for %j', async (args, message) => {
    const run = await runCli(['report', ...args, ...target], { KINSHIP_CONFIG_DIR: 'config' });
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect(run.err).toContain('npx kinship report --help');
  });
});

describe('GET /api/reports/campaigns and GET /reports', () => {
  const event = (rawPath: string, query: Record<string, string> = {}): APIGatewayProxyEventV2 => ({
    version: '2.0',
    routeKey: `GET ${rawPath}`,
    rawPath,
    rawQueryString: new URLSearchParams(query).toString(),
    queryStringParameters: query,
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      accountId: '0',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r',
      routeKey: `GET ${rawPath}`,
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
  });
  const deps = () => ({ table, settings: loadReportSettings('config'), now: () => new Date('2026-12-31T00:00:00Z') });

  it('returns the same campaign numbers as JSON', async () => {
    const result = await handleReportRequest(deps(), event('/api/reports/campaigns', { from: '2026-01-01', to: '2026-12-31' }));
    expect(result.statusCode).toBe(200);
    const body = Report.parse(JSON.parse(String(result.body)));
    expect(body.campaigns).toEqual(report.campaigns);
  });

  it('answers a bad period with a 400 naming the field, as JSON on the API and as a page on /reports', async () => {
    await expect(handleReportRequest(deps(), event('/api/reports/campaigns', { from: 'yesterday' }))).rejects.toMatchObject({
      status: 400,
      issues: [{ field: 'from' }],
    });
    const page = await handleReportRequest(deps(), event('/reports', { to: '2026-02-30' }));
    expect(page.statusCode).toBe(400);
    expect(page.headers?.['content-type']).toContain('text/html');
    expect(String(page.body)).toContain('to must be a day as YYYY-MM-DD');
  });

  it('serves the HTML page with a restrictive content security policy', async () => {
    const page = await handleReportRequest(deps(), event('/reports'));
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-security-policy']).toContain("default-src 'none'");
    expect(String(page.body)).toContain('<section id="deliverability"');
  });
});
