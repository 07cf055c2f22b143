/**
 * Unsubscribing: takes effect at once (Gmail and Yahoo allow two days; we need none), is recorded in the
 * append-only consent ledger, and is idempotent — mailbox providers may POST the one-click request more than
 * once, and link scanners may open the page. Only a POST unsubscribes; a GET only shows the page (RFC 8058 §3).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '#shared/errors.ts';
import { ConsentWithdrawn } from '#shared/events/consent-withdrawn.ts';
import { publishEvents, type EventBus } from '#shared/events/publish-events.ts';
import { nearestSupportedLocale, type Locale } from '#shared/locales.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { LinkExpiredError } from '#shared/capture/capture-errors.ts';
import { parseUnsubscribeSubject, verifyUnsubscribeToken, type UnsubscribeScope } from '#shared/sending/unsubscribe-link.ts';

export interface UnsubscribeDeps {
  table: Table;
  bus: EventBus;
  signingKey: string;
  now: () => Date;
}

export interface UnsubscribeTarget {
  customerId: string;
  campaignId: string;
  /** `marketing`: the link withdraws marketing consent; `all`: it stops every email (a service email's link). */
  scope: UnsubscribeScope;
  /** The occurrence the email belonged to, when the link carries it (links made since the report counted unsubscribes). */
  occurrenceId?: string;
  /** The customer's language, for the page. */
  locale: Locale | undefined;
  /** What the link stops is already stopped (a repeat request, or an earlier unsubscribe). */
  withdrawn: boolean;
}

/** Reads who a link is for, without changing anything (the GET page). Forged → 404, expired → 410. */
export async function unsubscribeTarget(deps: Omit<UnsubscribeDeps, 'bus'>, token: string | undefined): Promise<UnsubscribeTarget> {
  if (!token || token.length > 2048) throw new NotFoundError('This unsubscribe link is incomplete');
  const check = verifyUnsubscribeToken(token, deps.signingKey, deps.now());
  if (!check.ok) {
    if (check.reason === 'expired') throw new LinkExpiredError('This unsubscribe link has expired');
    throw new NotFoundError('This unsubscribe link is not valid');
  }
  const subject = parseUnsubscribeSubject(check.claims.sub);
  if (!subject) throw new NotFoundError('This unsubscribe link is not valid');
  const profile = await deps.table.doc.send(new GetCommand({ TableName: deps.table.name, Key: keys.profile(subject.customerId), ConsistentRead: true }));
  if (!profile.Item) throw new NotFoundError('This unsubscribe link is not valid');
  return {
    ...subject,
    locale: typeof profile.Item.locale === 'string' ? nearestSupportedLocale(profile.Item.locale) : undefined,
    withdrawn: subject.scope === 'all' ? typeof profile.Item.unsubscribedAllAt === 'string' : profile.Item.marketingConsent === 'withdrawn',
  };
}

/** Withdraws marketing consent now. Returns the target; a repeat changes nothing and publishes nothing. */
export async function unsubscribe(deps: UnsubscribeDeps, token: string | undefined, source: 'one-click' | 'page'): Promise<UnsubscribeTarget> {
  const target = await unsubscribeTarget(deps, token);
  if (target.withdrawn) return target;
  const at = deps.now().toISOString();
  await withdrawMarketingConsent(deps, {
    customerId: target.customerId,
    at,
    ref: `unsubscribe#${target.campaignId}`,
    source,
    campaignId: target.campaignId,
    occurrenceId: target.occurrenceId,
  });
  if (target.scope === 'all') await stopAllEmail(deps.table, { customerId: target.customerId, at, campaignId: target.campaignId, source });
  return { ...target, withdrawn: true };
}

/**
 * "Stop every email": the profile's `unsubscribedAllAt` (which the sender checks for service messages too) and a
 * ledger entry, in one transaction; a repeat (the profile already has it) writes nothing.
 */
async function stopAllEmail(table: Table, stop: { customerId: string; at: string; campaignId: string; source: 'one-click' | 'page' }): Promise<void> {
  try {
    await table.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table.name,
              Item: {
                ...keys.consentEntry(stop.customerId, stop.at, `unsubscribe-all#${stop.campaignId}`),
                entityType: 'CONSENT',
                kind: 'withdrawn',
                channel: 'email',
                scope: 'all',
                marketingEmail: false,
                serviceEmail: false,
                source: stop.source,
                campaignId: stop.campaignId,
                customerId: stop.customerId,
                at: stop.at,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Update: {
              TableName: table.name,
              Key: keys.profile(stop.customerId),
              UpdateExpression: 'SET unsubscribedAllAt = :at',
              ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(unsubscribedAllAt)',
              ExpressionAttributeValues: { ':at': stop.at },
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
  }
}

export interface ConsentWithdrawal {
  customerId: string;
  at: string;
  /** Makes the ledger entry's key: the same withdrawal recorded twice is one entry. */
  ref: string;
  source: 'one-click' | 'page' | 'complaint';
  campaignId?: string | undefined;
  /** The campaign occurrence whose email's link this was: its report's `unsubscribed` counter goes up with the withdrawal. */
  occurrenceId?: string | undefined;
  /** Extra ledger fields (e.g. the SES message id of a complaint). */
  details?: Record<string, string>;
}

/**
 * Withdraws marketing consent: one ledger entry and the profile's state in one transaction, then ConsentWithdrawn.
 * Returns false — writing and publishing nothing — when consent is already withdrawn or the profile is gone.
 * With a campaign and occurrence, the same transaction counts the unsubscribe on that occurrence's report
 * (`STATS#<campaign>/OCC#<occurrence>`), so it is counted exactly once: a repeat cancels the whole transaction.
 */
export async function withdrawMarketingConsent(deps: { table: Table; bus: EventBus }, w: ConsentWithdrawal): Promise<boolean> {
  const profileSource = w.source === 'complaint' ? 'complaint' : `unsubscribe:${w.source}`;
  try {
    await deps.table.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: deps.table.name,
              Item: {
                ...keys.consentEntry(w.customerId, w.at, w.ref),
                entityType: 'CONSENT',
                kind: 'withdrawn',
                channel: 'email',
                marketingEmail: false,
                source: w.source,
                ...(w.campaignId ? { campaignId: w.campaignId } : {}),
                ...(w.campaignId && w.occurrenceId ? { occurrenceId: w.occurrenceId } : {}),
                ...w.details,
                customerId: w.customerId,
                at: w.at,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Update: {
              TableName: deps.table.name,
              Key: keys.profile(w.customerId),
              UpdateExpression: 'SET marketingConsent = :withdrawn, marketingConsentAt = :at, marketingConsentSource = :source',
              // A concurrent unsubscribe already did it: then this one is a repeat and writes nothing.
              ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(marketingConsent) OR marketingConsent <> :withdrawn)',
              ExpressionAttributeValues: { ':withdrawn': 'withdrawn', ':at': w.at, ':source': profileSource },
            },
          },
          ...(w.campaignId && w.occurrenceId ? [occurrenceUnsubscribed(deps.table.name, w.campaignId, w.occurrenceId)] : []),
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
  await publishEvents(deps.bus, [
    ConsentWithdrawn.create({
      customerId: w.customerId,
      channel: 'email',
      source: w.source,
      ...(w.campaignId ? { campaignId: w.campaignId } : {}),
      withdrawnAt: w.at,
    }),
  ]);
  return true;
}

/** The occurrence's `unsubscribed` counter, the same item and attributes the SES event recorder counts on. */
function occurrenceUnsubscribed(tableName: string, campaignId: string, occurrenceId: string) {
  return {
    Update: {
      TableName: tableName,
      Key: keys.campaignStats(campaignId, occurrenceId),
      UpdateExpression: 'SET entityType = :type, campaignId = :campaign, occurrenceId = :occurrence ADD unsubscribed :one',
      ExpressionAttributeValues: { ':type': 'CAMPAIGN_STATS', ':campaign': campaignId, ':occurrence': occurrenceId, ':one': 1 },
    },
  };
}
