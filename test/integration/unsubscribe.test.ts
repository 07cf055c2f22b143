import { PutCommand, QueryCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '#shared/errors.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { LinkExpiredError } from '#shared/capture/capture-errors.ts';
import { loadShopConfig } from '#shared/config/shop-config.ts';
import { loadCatalogs } from '#shared/i18n/catalogs.ts';
import { unsubscribe, unsubscribeTarget, type UnsubscribeDeps } from '#shared/sending/unsubscribe.ts';
import { handleUnsubscribe } from '#shared/sending/unsubscribe-route.ts';
import { unsubscribeUrl } from '#shared/sending/unsubscribe-link.ts';
import { campaignResults } from '#shared/reports/campaign-results.ts';
import { loadReportData } from '#shared/reports/load-report-data.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { signToken } from '#shared/tokens/signed-token.ts';
import { startPutEventsEndpoint, type BusEvent, type PutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { createTestTable } from '#test/support/test-table.ts';

const KEY = 'unsubscribe-key';
const now = new Date('2026-12-03T12:00:00Z');
let table: Table;
let events: PutEventsEndpoint;
let published: BusEvent[] = [];
let deps: UnsubscribeDeps;
let seq = 0;

beforeAll(async () => {
  table = await createTestTable('unsubscribe');
  events = await startPutEventsEndpoint({ port: 0, onEvents: (batch) => published.push(...batch) });
  deps = { table, bus: { client: createEventBridgeClient(events.endpoint), name: 'kinship' }, signingKey: KEY, now: () => now };
});

afterAll(async () => {
  await events.stop();
});

beforeEach(() => {
  published = [];
});

async function aSubscriber(): Promise<{ customerId: string; token: string }> {
  const customerId = `c_unsub${++seq}`;
  await table.doc.send(
    new PutCommand({
      TableName: table.name,
      Item: { ...keys.profile(customerId), customerId, locale: 'da', marketingConsent: 'granted', marketingConsentAt: '2026-11-01T00:00:00.000Z' },
    }),
  );
  const token =
    new URL(unsubscribeUrl('https://shop.example', KEY, { customerId, campaignId: 'win-back', scope: 'marketing' }, now)).searchParams.get('token') ?? '';
  return { customerId, token };
}

async function ledgerOf(customerId: string): Promise<Record<string, unknown>[]> {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :consent)',
      ExpressionAttributeValues: { ':pk': `CUST#${customerId}`, ':consent': keys.consentEntryPrefix },
    }),
  );
  return result.Items ?? [];
}

describe('unsubscribe', () => {
  it('shows who the link is for without changing anything (a GET, or a link scanner)', async () => {
    const { customerId, token } = await aSubscriber();
    expect(await unsubscribeTarget(deps, token)).toEqual({ customerId, campaignId: 'win-back', scope: 'marketing', locale: 'da', withdrawn: false });
    expect(await ledgerOf(customerId)).toEqual([]);
  });

  it('withdraws consent at once, writes one ledger entry and publishes ConsentWithdrawn, however many one-click POSTs arrive', async () => {
    const { customerId, token } = await aSubscriber();
    const results = await Promise.all(Array.from({ length: 10 }, () => unsubscribe(deps, token, 'one-click')));
    expect(results.every((r) => r.withdrawn)).toBe(true);

    const profile = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId) }));
    expect(profile.Item).toMatchObject({
      marketingConsent: 'withdrawn',
      marketingConsentAt: now.toISOString(),
      marketingConsentSource: 'unsubscribe:one-click',
    });
    expect(await ledgerOf(customerId)).toEqual([
      expect.objectContaining({ kind: 'withdrawn', channel: 'email', source: 'one-click', campaignId: 'win-back', at: now.toISOString() }),
    ]);
    expect(published.map((e) => [e['detail-type'], e.detail.customerId, e.detail.source])).toEqual([['ConsentWithdrawn', customerId, 'one-click']]);
  });

  it('refuses forged, foreign and expired links with 404 / 410, changing nothing', async () => {
    const { customerId, token } = await aSubscriber();
    await expect(unsubscribe(deps, `${token.slice(0, -2)}xx`, 'page')).rejects.toBeInstanceOf(NotFoundError);
    await expect(unsubscribe(deps, signToken({ purpose: 'form', sub: `${customerId}|win-back`, exp: 9_999_999_999 }, KEY), 'page')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(unsubscribe(deps, undefined, 'page')).rejects.toBeInstanceOf(NotFoundError);
    const expired = signToken({ purpose: 'unsubscribe', sub: `${customerId}|win-back`, exp: Math.floor(now.getTime() / 1000) - 1 }, KEY);
    await expect(unsubscribe(deps, expired, 'page')).rejects.toBeInstanceOf(LinkExpiredError);
    expect(await ledgerOf(customerId)).toEqual([]);
    expect(published).toEqual([]);
  });
});

describe('GET|POST /unsubscribe', () => {
  const route = () => ({ ...deps, catalogs: loadCatalogs(), shop: loadShopConfig() });
  const request = (method: 'GET' | 'POST', token: string, body?: string, headers: Record<string, string> = {}) => ({
    queryStringParameters: { token },
    requestContext: { http: { method, sourceIp: '127.0.0.1' } },
    headers,
    ...(body === undefined ? {} : { body }),
  });

  it("GET shows a page in the customer's language with one button, and changes nothing", async () => {
    const { customerId, token } = await aSubscriber();
    const page = await handleUnsubscribe(route(), request('GET', token));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Afmeld e-mails fra Norðurljós Outdoor?');
    expect(page.body).toMatch(
      /<form method="post" action="\?token=[^"]+"><input type="hidden" name="source" value="page"><button type="submit">Afmeld<\/button><\/form>/,
    );
    expect(await ledgerOf(customerId)).toEqual([]);
  });

  it("a mailbox's one-click POST unsubscribes at once and answers with the localized confirmation", async () => {
    const { customerId, token } = await aSubscriber();
    const page = await handleUnsubscribe(
      route(),
      request('POST', token, 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' }),
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Du er afmeldt');
    expect(await ledgerOf(customerId)).toEqual([expect.objectContaining({ kind: 'withdrawn', source: 'one-click' })]);
    // Opening the link again shows the confirmation, not the button.
    expect((await handleUnsubscribe(route(), request('GET', token))).body).toContain('Du er afmeldt');
  });

  it("a service email's link asks to stop every email on GET (changing nothing) and stops it on POST, once", async () => {
    const { customerId } = await aSubscriber();
    const token =
      new URL(unsubscribeUrl('https://shop.example', KEY, { customerId, campaignId: 'service-recovery', scope: 'all' }, now)).searchParams.get('token') ?? '';
    const page = await handleUnsubscribe(route(), request('GET', token));
    expect(page.body).toContain('Stop alle e-mails fra Norðurljós Outdoor?');
    expect(page.body).toContain('<button type="submit">Stop alle e-mails</button>');
    expect(await ledgerOf(customerId)).toEqual([]);

    for (let i = 0; i < 2; i++)
      expect((await handleUnsubscribe(route(), request('POST', token, 'source=page'))).body).toContain('Du får ikke flere e-mails fra os');
    const profile = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId) }));
    expect(profile.Item).toMatchObject({ marketingConsent: 'withdrawn', unsubscribedAllAt: now.toISOString() });
    expect(await ledgerOf(customerId)).toHaveLength(2);
    expect(await ledgerOf(customerId)).toContainEqual(expect.objectContaining({ kind: 'withdrawn', scope: 'all', campaignId: 'service-recovery' }));
  });

  it('counts an unsubscribe from a campaign email once on the occurrence it belonged to, and the report shows it', async () => {
    const { customerId } = await aSubscriber();
    const other = await aSubscriber();
    const [campaignId, occurrenceId] = ['win-back', `evt-${customerId}`];
    // The claims the sender leaves for the two emails of this occurrence.
    for (const id of [customerId, other.customerId]) {
      await table.doc.send(
        new PutCommand({
          TableName: table.name,
          Item: {
            ...keys.sendClaim(campaignId, occurrenceId, id),
            campaignId,
            occurrenceId,
            customerId: id,
            status: 'sent',
            sentAt: '2026-12-02T12:00:00.000Z',
          },
        }),
      );
    }
    const linkOf = (id: string) =>
      new URL(unsubscribeUrl('https://shop.example', KEY, { customerId: id, campaignId, scope: 'marketing', occurrenceId }, now)).searchParams.get('token') ??
      '';
    const token = linkOf(customerId);

    expect((await handleUnsubscribe(route(), request('POST', token, 'List-Unsubscribe=One-Click'))).body).toContain('Du er afmeldt');
    expect((await handleUnsubscribe(route(), request('POST', token, 'source=page'))).body).toContain('Du er afmeldt');
    await Promise.all([1, 2, 3].map(() => handleUnsubscribe(route(), request('POST', token, 'List-Unsubscribe=One-Click'))));

    const stats = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.campaignStats(campaignId, occurrenceId), ConsistentRead: true }));
    expect(stats.Item).toMatchObject({ entityType: 'CAMPAIGN_STATS', campaignId, occurrenceId, unsubscribed: 1 });
    expect(await ledgerOf(customerId)).toEqual([expect.objectContaining({ kind: 'withdrawn', campaignId, occurrenceId })]);

    const { data } = await loadReportData(table);
    const result = campaignResults(data, { from: undefined, to: now.getTime() }, 7).find((c) => c.campaignId === campaignId);
    expect(result?.occurrences.find((o) => o.occurrenceId === occurrenceId)).toMatchObject({ sent: 2, unsubscribed: 1 });
  });

  it('still honours a link made before links carried the occurrence (it unsubscribes, counting on no occurrence)', async () => {
    const { customerId } = await aSubscriber();
    const old = signToken({ purpose: 'unsubscribe', sub: `${customerId}|win-back`, exp: Math.floor(now.getTime() / 1000) + 86_400 }, KEY);
    expect((await handleUnsubscribe(route(), request('POST', old, 'List-Unsubscribe=One-Click'))).body).toContain('Du er afmeldt');
    expect(await ledgerOf(customerId)).toEqual([expect.objectContaining({ kind: 'withdrawn', campaignId: 'win-back' })]);
    expect((await ledgerOf(customerId))[0]).not.toHaveProperty('occurrenceId');
  });

  it("answers a forged link with a friendly 404 page in the browser's language, never an error dump", async () => {
    const page = await handleUnsubscribe(route(), request('GET', 'forged.token', undefined, { 'accept-language': 'fi-FI,fi;q=0.9' }));
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('lang="fi"');
    expect(page.body).not.toMatch(/at .*\.ts:\d+/);
  });
});
