/**
 * "Why did you stop buying from us?" end to end on DynamoDB Local: the real sender renders the win-back email, the
 * survey link in it opens a page (recording nothing), the page's POST records a contact of channel survey, repeats
 * do not duplicate it, tampered links get a 4xx page, and the console's customer and cases pages show it.
 */
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaignsFile } from '#shared/campaigns/campaign-triggers.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { loadShopConfig } from '#shared/config/shop-config.ts';
import { loadCustomerView } from '#shared/console/customer-view.ts';
import { casesPage } from '#shared/console/pages/cases-page.ts';
import { customerPage } from '#shared/console/pages/customer-page.ts';
import type { EmailSender, OutgoingEmail } from '#shared/email/send-email.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { loadCatalogs, translator } from '#shared/i18n/catalogs.ts';
import { surveyCounts } from '#shared/interactions/survey-answer.ts';
import { sendCampaignEmail, type SenderDeps } from '#shared/sending/send-campaign-email.ts';
import { handleSurvey, surveyChoices, type SurveyRouteDeps } from '#shared/survey/survey-route.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { signToken } from '#shared/tokens/signed-token.ts';
import { startPutEventsEndpoint, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { createTestTable, putSubscriber } from '#test/support/test-table.ts';

const KEY = 'survey-test-key';
const configDir = join(process.cwd(), 'config');
const campaigns = loadCampaignsFile(configDir).campaigns;
const catalogs = loadCatalogs(join(configDir, 'messages'));
let clock = new Date('2026-12-03T12:00:00Z');
let table: Table;
let sent: OutgoingEmail[] = [];
let sender: SenderDeps;
let route: SurveyRouteDeps;
let seq = 0;

const inbox: EmailSender = {
  async send(email) {
    sent.push(email);
    return { messageId: `msg-${sent.length}` };
  },
};
let events: PutEventsEndpoint;

beforeAll(async () => {
  table = await createTestTable('survey');
  events = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  sender = {
    table,
    bus: { client: createEventBridgeClient(events.endpoint), name: 'kinship' },
    email: inbox,
    templates: new CampaignTemplates(join(configDir, 'templates'), ['win-back'], 'en', catalogs),
    campaigns: new Map(campaigns.map((c) => [c.id, c])),
    policy: { frequencyCap: { maxEmails: 2, perDays: 7 }, quietHours: undefined, shopTimeZone: 'Atlantic/Reykjavik' },
    shop: { name: 'Norðurljós Outdoor', url: 'https://shop.example', baseCurrency: 'EUR' },
    publicBaseUrl: 'https://shop.example',
    signingKey: KEY,
    now: () => clock,
  };
  route = { table, signingKey: KEY, now: () => clock, catalogs, shop: loadShopConfig(configDir), surveys: surveyChoices(campaigns) };
});

afterAll(async () => {
  await events.stop();
});

/** A lapsed, consenting customer who got the win-back email; returns their id and the email's survey links by answer. */
async function aWinBackRecipient(locale = 'en'): Promise<{ customerId: string; links: Map<string, string> }> {
  const customerId = `c_survey${++seq}`;
  const address = `lapsed${seq}@example.com`;
  await putSubscriber(table, customerId, address, {
    customerName: 'Dana Levi',
    locale,
    orderCount: 3,
    netSpendMinor: 45_000,
    lastPurchaseAt: '2026-03-01T10:00:00.000Z',
  });
  sent = [];
  const outcome = await sendCampaignEmail(sender, { campaignId: 'win-back', occurrenceId: `evt-${seq}`, customerId, triggeredAt: '2026-12-01T00:00:00.000Z' });
  expect(outcome).toMatchObject({ outcome: 'sent' });
  const text = sent[0]?.text ?? '';
  const links = new Map<string, string>();
  for (const match of text.matchAll(/https:\/\/shop\.example\/survey\?token=[^\s]+/g)) {
    const token = new URL(match[0]).searchParams.get('token') ?? '';
    links.set(String(links.size), token);
  }
  return { customerId, links };
}

const get = (token: string, query: Record<string, string> = {}) =>
  handleSurvey(route, { queryStringParameters: { token, ...query }, requestContext: { http: { method: 'GET' } }, headers: {} });
const post = (token: string, form: Record<string, string>) =>
  handleSurvey(route, {
    queryStringParameters: { token },
    requestContext: { http: { method: 'POST' } },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });

async function contactsOf(customerId: string): Promise<Record<string, unknown>[]> {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :c)',
      ExpressionAttributeValues: { ':pk': `CUST#${customerId}`, ':c': keys.contactPrefix },
    }),
  );
  return result.Items ?? [];
}

async function winBackCounts(): Promise<Record<string, number>> {
  const counts = (await surveyCounts(table)).find((s) => s.campaignId === 'win-back');
  return Object.fromEntries((counts?.answers ?? []).map((a) => [a.reason, a.count]));
}

describe('the win-back survey', () => {
  it("puts one signed link per configured answer in the email, in the reader's language", async () => {
    const { links } = await aWinBackRecipient('is');
    expect(links.size).toBe(6);
    expect(sent[0]?.text).toContain('Af hverju hættir þú að versla við okkur?');
    expect(sent[0]?.html).toContain('Verðið er of hátt</a>');
  });

  it('GET shows the page with the clicked answer preselected and records nothing; POST records a survey contact; repeats do not duplicate it', async () => {
    const before = await winBackCounts();
    const { customerId, links } = await aWinBackRecipient('he');
    const qualityLink = links.get('1') ?? '';

    const page = await get(qualityLink);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('dir="rtl"');
    expect(page.body).toMatch(/<input type="radio" id="r-quality" name="reason" value="quality" checked>/);
    expect(page.body).not.toMatch(/value="too-expensive" checked/);
    expect(page.body).toContain('<textarea id="f-note" name="note"');
    expect(await contactsOf(customerId)).toEqual([]);

    const done = await post(qualityLink, { reason: 'quality', note: 'The zip broke <twice>' });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('תודה');
    const [contact, ...others] = await contactsOf(customerId);
    expect(others).toEqual([]);
    expect(contact).toMatchObject({
      channel: 'survey',
      reason: 'quality',
      note: 'The zip broke <twice>',
      campaignId: 'win-back',
      occurrenceId: `evt-${seq}`,
      recordedAt: clock.toISOString(),
    });

    // The same answer again (a double click, a retry): nothing new.
    await post(qualityLink, { reason: 'quality', note: 'The zip broke <twice>' });
    expect(await contactsOf(customerId)).toHaveLength(1);
    expect((await winBackCounts()).quality).toBe((before.quality ?? 0) + 1);

    // Another answer from another link of the same email replaces the first, and moves the count.
    clock = new Date(clock.getTime() + 60_000);
    await post(links.get('0') ?? '', { reason: 'too-expensive', note: '' });
    const [changed, ...none] = await contactsOf(customerId);
    expect(none).toEqual([]);
    expect(changed).toMatchObject({ reason: 'too-expensive', updatedAt: clock.toISOString() });
    expect(changed?.note).toBeUndefined();
    const after = await winBackCounts();
    expect(after.quality ?? 0).toBe(before.quality ?? 0);
    expect(after['too-expensive']).toBe((before['too-expensive'] ?? 0) + 1);
    // Opening a link again preselects what was recorded, not what that link would.
    expect((await get(qualityLink)).body).toMatch(/value="too-expensive" checked/);
  });

  it("answers a bad answer or an overlong note with 400 and the field's message, recording nothing", async () => {
    const { customerId, links } = await aWinBackRecipient();
    const token = links.get('0') ?? '';
    const unknown = await post(token, { reason: 'free-money' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('<p class="error" id="e-reason">Please choose one of the options.</p>');
    const long = await post(token, { reason: 'other', note: 'x'.repeat(1001) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('Please keep this to 1000 characters or fewer.');
    expect(await contactsOf(customerId)).toEqual([]);
  });

  it('answers tampered, foreign and expired links with a 4xx page and records nothing', async () => {
    const { customerId, links } = await aWinBackRecipient();
    const token = links.get('0') ?? '';
    const tampered = `${token.slice(0, -3)}abc`;
    for (const response of [await get(tampered), await post(tampered, { reason: 'other' })]) {
      expect(response.statusCode).toBe(404);
      expect(response.body).not.toMatch(/at .*\.ts:\d+/);
    }
    // A valid signature for a campaign that asks nothing, and an unsubscribe token, are not survey links.
    expect((await get(signToken({ purpose: 'survey', sub: `${customerId}|welcome|evt|other`, exp: 9_999_999_999 }, KEY))).statusCode).toBe(404);
    expect((await get(signToken({ purpose: 'unsubscribe', sub: `${customerId}|win-back`, exp: 9_999_999_999 }, KEY))).statusCode).toBe(404);
    expect(
      (await get(signToken({ purpose: 'survey', sub: `${customerId}|win-back|evt|other`, exp: Math.floor(clock.getTime() / 1000) - 1 }, KEY))).statusCode,
    ).toBe(410);
    expect(await contactsOf(customerId)).toEqual([]);
  });

  it("shows the answer on the customer's console page and counts it on the cases page", async () => {
    const { customerId, links } = await aWinBackRecipient();
    await post(links.get('2') ?? '', { reason: 'found-elsewhere', note: 'Closer to home' });
    const t = translator(catalogs, 'en');
    const user = { username: 'staff', groups: ['staff'], csrf: 'x' };
    const view = await loadCustomerView(table, customerId);
    expect(view?.surveyAnswers).toEqual([expect.objectContaining({ reason: 'found-elsewhere', note: 'Closer to home' })]);
    const customer = view ? customerPage(t, user, `/console/customers/${customerId}`, view, undefined).body.toString() : '';
    expect(customer).toMatch(/<tr class="survey-answer"><td>[^<]+<\/td><td>Email survey<\/td><td>I found another shop<\/td>/);
    expect(customer).toContain('Closer to home');

    const counts = await surveyCounts(table);
    const cases = casesPage(t, user, '/console/cases', {
      filters: { status: '', reason: '', owner: '' },
      reasons: [],
      entries: [],
      stats: [],
      surveys: counts,
    }).body.toString();
    const expected = counts.find((s) => s.campaignId === 'win-back')?.answers.find((a) => a.reason === 'found-elsewhere')?.count ?? 0;
    expect(expected).toBeGreaterThanOrEqual(1);
    expect(cases).toContain('Why customers stopped buying (email survey answers)');
    expect(cases).toContain(`<tr><td>I found another shop</td><td>${expected}</td></tr>`);
  });
});
