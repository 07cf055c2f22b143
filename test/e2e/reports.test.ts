/**
 * The results report in headless Chromium: the local runtime serves GET /reports (Basic auth with the API key, as a
 * browser would send it) over a seeded shop; every section must show a chart with marks, and the page is
 * screenshotted to test-results/reports.png.
 */
import { mkdirSync } from 'node:fs';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import { createDocumentClient } from '#shared/table/table-client.ts';
import { topology } from '#shared/topology.ts';
import { CHROMIUM_ARGS, chromiumExecutable } from '#test/support/chromium.ts';
import {
  aCampaignStatsItem,
  aCodeItem,
  aDailyStatsItem,
  aHeldOutClaimItem,
  anIncentiveItem,
  anOccurrenceItem,
  anOrderItem,
  aProfileItem,
  aSegmenterRunItem,
  aSentClaimItem,
  aSubmissionItem,
} from '#test/support/report-builders.ts';

const SECTIONS = ['campaigns', 'incentives', 'acquisition', 'satisfaction', 'cohorts', 'segments', 'deliverability'];
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A deterministic pseudo-random shop of 300 customers over 2026 (mulberry32, so every run draws the same shop). */
function demoShopItems(): Record<string, unknown>[] {
  let state = 42;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(values: readonly T[]): T => {
    const value = values[Math.floor(random() * values.length)];
    if (value === undefined) throw new Error('pick from an empty list');
    return value;
  };
  const items: Record<string, unknown>[] = [];
  const customers = Array.from({ length: 300 }, (_, i) => ({ id: `c${i}`, first: Date.parse('2026-01-05T10:00:00Z') + Math.floor(random() * 270) * DAY }));
  const daily = new Map<string, { sent: number; delivered: number; bounced: number; complained: number }>();
  for (const [i, c] of customers.entries()) {
    items.push(
      aProfileItem({
        customerId: c.id,
        ...(random() < 0.8 ? { heardFrom: pick(['friend', 'friend', 'search', 'search', 'search', 'social', 'store', 'press', 'advert']) } : {}),
      }),
    );
    const category = pick(['tents', 'clothing', 'backpacks', 'boots']);
    items.push(
      anOrderItem({
        orderId: `f${i}`,
        customerId: c.id,
        purchasedAt: iso(c.first),
        totalMinor: 2000 + Math.floor(random() * 30000),
        categoryMinor: { [category]: 1 },
      }),
    );
    if (random() < 0.35)
      items.push(
        anOrderItem({
          orderId: `r${i}`,
          customerId: c.id,
          purchasedAt: iso(c.first + (5 + Math.floor(random() * 120)) * DAY),
          totalMinor: 1500 + Math.floor(random() * 20000),
        }),
      );
    if (random() < 0.6) {
      const confirmed = random() < 0.75;
      items.push(
        aSubmissionItem({
          orderId: `f${i}`,
          customerId: c.id,
          submittedAt: iso(c.first + DAY),
          satisfaction: pick([1, 2, 3, 3, 4, 4, 4, 5, 5, 5, 5]),
          ...(confirmed ? { confirmedAt: iso(c.first + 2 * DAY) } : {}),
        }),
      );
      if (confirmed) {
        const type = category === 'tents' ? 'warranty' : category === 'clothing' ? 'gift-card' : 'coupon';
        items.push(anIncentiveItem({ orderId: `f${i}`, customerId: c.id, type, code: `K${i}`, issuedAt: iso(c.first + 2 * DAY) }));
        items.push(aCodeItem({ code: `K${i}`, orderId: `f${i}`, ...(random() < 0.3 ? { redeemedAt: iso(c.first + 30 * DAY) } : {}) }));
      }
    }
  }
  const campaigns = [
    { id: 'newsletter', holdout: 0.15, occurrences: ['2026-03-02', '2026-04-01', '2026-05-04', '2026-06-01', '2026-07-01', '2026-08-03'] },
    { id: 'win-back', holdout: 0.2, occurrences: ['2026-06-15', '2026-09-15'] },
    { id: 'gold-reward', holdout: 0, occurrences: ['2026-07-20'] },
  ];
  let order = 0;
  for (const campaign of campaigns) {
    for (const occurrenceId of campaign.occurrences) {
      const at = Date.parse(`${occurrenceId}T09:00:00Z`);
      const audience = customers.filter((c) => c.first < at && random() < 0.8);
      const stats = { sent: 0, delivered: 0, bounced: 0, complained: 0, opened: 0, clicked: 0, unsubscribed: 0 };
      for (const c of audience) {
        const base = { campaignId: campaign.id, occurrenceId, customerId: c.id };
        const held = random() < campaign.holdout;
        if (held) items.push(aHeldOutClaimItem({ ...base, heldOutAt: iso(at) }));
        else {
          const bounce = random() < 0.015;
          const opened = !bounce && random() < 0.45;
          const clicked = opened && random() < 0.3;
          const complained = !bounce && random() < 0.002;
          items.push(
            aSentClaimItem({
              ...base,
              sentAt: iso(at),
              ...(bounce ? { bouncedAt: iso(at) } : { deliveredAt: iso(at) }),
              ...(opened ? { firstOpenedAt: iso(at + 3600_000) } : {}),
              ...(clicked ? { firstClickedAt: iso(at + 3700_000) } : {}),
              ...(complained ? { complainedAt: iso(at + DAY) } : {}),
            }),
          );
          stats.sent++;
          if (bounce) stats.bounced++;
          else stats.delivered++;
          if (opened) stats.opened++;
          if (clicked) stats.clicked++;
          if (complained) stats.complained++;
          if (random() < 0.01) stats.unsubscribed++;
        }
        if (random() < (held ? 0.06 : 0.14)) {
          const purchasedAt = at + (0.2 + random() * 4.5) * DAY;
          const totalMinor = 2500 + Math.floor(random() * 15000);
          items.push(
            anOrderItem({
              orderId: `e${order++}`,
              customerId: c.id,
              purchasedAt: iso(purchasedAt),
              totalMinor,
              ...(held ? {} : { attribution: { campaignId: campaign.id, occurrenceId } }),
            }),
          );
        }
      }
      items.push(
        aCampaignStatsItem({ campaignId: campaign.id, occurrenceId, ...stats }),
        anOccurrenceItem({ campaignId: campaign.id, occurrenceId, recipients: audience.length, plannedAt: iso(at - 60_000) }),
      );
      const day = daily.get(occurrenceId) ?? { sent: 0, delivered: 0, bounced: 0, complained: 0 };
      daily.set(occurrenceId, {
        sent: day.sent + stats.sent,
        delivered: day.delivered + stats.delivered,
        bounced: day.bounced + stats.bounced,
        complained: day.complained + stats.complained,
      });
    }
  }
  for (const [day, counts] of daily) items.push(aDailyStatsItem({ day, ...counts }));
  const sizes: Record<string, number> = {
    'one-time': 40,
    new: 30,
    gold: 6,
    silver: 6,
    lapsed: 2,
    frequent: 3,
    loyal: 1,
    'rfm-champions': 4,
    'rfm-at-risk': 2,
    unsatisfied: 3,
  };
  for (let week = 0; week < 36; week++) {
    for (const segment of Object.keys(sizes)) sizes[segment] = Math.max(0, Math.round((sizes[segment] ?? 0) * (1 + (random() - 0.35) * 0.12)));
    items.push(aSegmenterRunItem({ asOf: iso(Date.parse('2026-01-05T03:00:00Z') + week * 7 * DAY), counts: { ...sizes } }));
  }
  return items;
}

let runtime: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  [runtime, browser] = await Promise.all([
    startLocalRuntime({
      topology: { functions: topology.functions.filter((fn) => fn.name === 'show-report'), queues: [] },
      dynamoDbEndpoint: inject('dynamodbEndpoint'),
      tableName: `reports-e2e-${Date.now()}`,
      ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
      clock: { mode: 'manual', now: new Date('2026-12-01T00:00:00Z') },
      seed: false,
    }),
    chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS }),
  ]);
  const doc = createDocumentClient(runtime.urls.dynamodb);
  const items = demoShopItems();
  for (let i = 0; i < items.length; i += 25)
    await doc.send(new BatchWriteCommand({ RequestItems: { [runtime.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  doc.destroy();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

describe('GET /reports in headless Chromium', () => {
  it('asks a browser for the key, then renders a chart with data in every section', async () => {
    // Headless Chromium cannot show the prompt (it fails the navigation instead): check the challenge it would answer.
    const refused = await fetch(`${runtime.urls.api}/reports`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Basic realm="Kinship staff"');

    const context = await browser.newContext({ httpCredentials: { username: 'staff', password: runtime.apiKey }, viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const response = await page.goto(`${runtime.urls.api}/reports?from=2026-01-01&to=2026-11-30`);
    expect(response?.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getAttribute('html', 'dir')).toBe('ltr');
    for (const id of SECTIONS) {
      const section = page.locator(`section#${id}`);
      expect(await section.locator('h2').textContent(), id).not.toBe('');
      const charts = section.locator('figure svg[aria-label]');
      expect(await charts.count(), `${id}: charts`).toBeGreaterThan(0);
      // Marks: bars (rect), lines (path) or dots (circle) inside the chart's mark groups, not just axes.
      const marks = await section
        .locator(
          'figure svg g[aria-label$="bar"] rect, figure svg g[aria-label="line"] path, figure svg g[aria-label="dot"] circle, figure svg g[aria-label="rule"] line',
        )
        .count();
      expect(marks, `${id}: marks`).toBeGreaterThan(0);
      expect(await section.locator('.empty').count(), `${id}: no empty chart`).toBe(0);
      expect(await section.locator('table tbody tr').count(), `${id}: table rows`).toBeGreaterThan(0);
    }
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/reports.png', fullPage: true });
    await context.close();
  });
});
