import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';

/**
 * The demo shop of `npm start`, driven the way the README tells a person to: seed, move the clock forward, read
 * the inbox. Real handlers, real schedules and rules from config/campaigns.yaml, the SES emulator.
 */
const Email = z.object({
  destination: z.object({ to: z.array(z.string()) }),
  subject: z.string(),
  body: z.object({ text: z.string().optional(), html: z.string().optional() }),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});
type Email = z.output<typeof Email>;

let runtime: LocalRuntime;
let table: Table;

async function inbox(): Promise<Email[]> {
  const response = await fetch(new URL('/store', runtime.urls.ses));
  return z.object({ emails: z.array(Email) }).parse(await response.json()).emails;
}

const BY_CAMPAIGN = {
  welcome: /^(Welcome to|Velkomin\(n\) til|Velkommen til|ברוכים הבאים ל|Tervetuloa)/,
  winBack: /^(We miss you|Við söknum þín|Vi savner dig|מתגעגעים אליך|Ikävä sinua)/,
  newsletter: /^(News from|Fréttir frá|Nyt fra|החדשות של|Kuukauden uutiset)/,
};
const ofCampaign = (emails: Email[], pattern: RegExp) => emails.filter((e) => pattern.test(e.subject.replace(/[\u2066-\u2069]/g, '')));
const noon = (date: Date) => new Date(`${date.toISOString().slice(0, 10)}T12:00:00.000Z`);

beforeAll(async () => {
  runtime = await startLocalRuntime({
    dynamoDbEndpoint: inject('dynamodbEndpoint'),
    tableName: `demo-${Date.now().toString(36)}`,
    ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
    // Noon today, whatever the hour the suite runs at: campaign emails respect quiet hours (21:00–08:00).
    clock: { mode: 'real', now: noon(new Date()) },
    tickSchedules: false,
    seed: true,
  });
  table = { doc: createDocumentClient(runtime.urls.dynamodb), name: runtime.tableName };
  await runtime.idle();
}, 240_000);

afterAll(() => runtime.stop());

describe('the demo shop, with the clock moved forward', () => {
  it('welcomes every customer who confirmed on the form, once, in their language — unless their address bounced or complained', async () => {
    const confirmed = runtime.seed?.confirmed ?? 0;
    expect(confirmed).toBeGreaterThan(10);
    const welcomes = ofCampaign(await inbox(), BY_CAMPAIGN.welcome);
    // The demo's bounce@ and complaint@ simulator customers are suppressed by the events of their opt-in email.
    const suppressed = ['bounce+demo@simulator.amazonses.com', 'complaint+demo@simulator.amazonses.com'];
    expect(welcomes.filter((e) => suppressed.some((a) => e.destination.to.includes(a)))).toEqual([]);
    expect(welcomes.filter((e) => e.destination.to.includes('success+demo@simulator.amazonses.com'))).toHaveLength(1);
    expect(welcomes).toHaveLength(confirmed - suppressed.length);
    expect(new Set(welcomes.map((e) => e.destination.to[0])).size).toBe(confirmed - suppressed.length);
    expect(welcomes.some((e) => e.subject.startsWith('Velkomin(n) til'))).toBe(true);
  });

  it('sends win-back emails with a coupon and a working one-click unsubscribe three days after customers lapse', { timeout: 180_000 }, async () => {
    const lapsedAt = noon(new Date(runtime.clock.now().getTime() + 120 * 86_400_000));
    await runtime.jumpTo(lapsedAt);
    expect(ofCampaign(await inbox(), BY_CAMPAIGN.winBack)).toEqual([]);

    await runtime.jumpTo(new Date(lapsedAt.getTime() + 4 * 86_400_000));
    const winBacks = ofCampaign(await inbox(), BY_CAMPAIGN.winBack);
    expect(winBacks.length).toBeGreaterThan(0);
    for (const email of winBacks) expect(email.body.text).toMatch(/BACK-[0-9A-Z]{5}-[0-9A-Z]{5}/);

    const [first] = winBacks;
    const unsubscribe = first?.headers?.find((h) => h.name === 'List-Unsubscribe')?.value.slice(1, -1) ?? '';
    expect(first?.headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
    const oneClick = await fetch(unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    const token = new URL(unsubscribe).searchParams.get('token') ?? '';
    const [, subject] = z.tuple([z.string(), z.string(), z.number()]).parse(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')));
    const customerId = subject.split('|')[0] ?? '';
    const profile = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId) }));
    expect(profile.Item?.marketingConsent).toBe('withdrawn');

    // The next monthly newsletter reaches consenting customers — but not the one who just unsubscribed.
    const after = new Date(lapsedAt.getTime() + 12 * 86_400_000);
    const firstOfMonth = new Date(Date.UTC(after.getUTCFullYear(), after.getUTCMonth() + 1, 1, 10, 5));
    await runtime.jumpTo(firstOfMonth);
    const newsletters = ofCampaign(await inbox(), BY_CAMPAIGN.newsletter);
    expect(newsletters.length).toBeGreaterThan(0);
    expect(newsletters.map((e) => e.destination.to[0])).not.toContain(first?.destination.to[0]);
  });
});
