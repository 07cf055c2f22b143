/**
 * Records one SES event (delivery, bounce, complaint, open, click …) where the rest of Kinship reads it:
 *
 *   read profile (+ the send claim of a campaign email) → decide (suppression, first open/click, forward-only
 *   "last" touches) → one transaction: the per-customer EMAILEVT item (attribute_not_exists: a redelivered SES event
 *   is a failed condition and changes nothing else), the occurrence and daily counters, the claim, the profile,
 *   the suppression item → consent withdrawal on a complaint → EmailDelivered/Bounced/Complained/Opened/Clicked.
 *
 * SES delivers at least once, so everything that counts is inside the transaction that the event item guards.
 * A profile changed meanwhile (another event, a send) fails its version condition and the event is decided again.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '#shared/events/event-definition.ts';
import { EmailBounced } from '#shared/events/email-bounced.ts';
import { EmailClicked } from '#shared/events/email-clicked.ts';
import { EmailComplained } from '#shared/events/email-complained.ts';
import { EmailDelivered } from '#shared/events/email-delivered.ts';
import { EmailOpened } from '#shared/events/email-opened.ts';
import { EmailSent } from '#shared/events/email-sent.ts';
import { isSupportedLocale, nearestSupportedLocale } from '#shared/locales.ts';
import { publishEvents, type EventBus } from '#shared/events/publish-events.ts';
import { logger } from '#shared/logger.ts';
import { emailEventExpiresAt, loadPrivacyConfig } from '#shared/privacy/privacy-config.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { Contended, noWait, retry } from '#shared/runtime/retry.ts';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { withdrawMarketingConsent } from '#shared/sending/unsubscribe.ts';
import { readEmailTags, type EmailKind } from '#shared/measurement/email-tags.ts';
import { EMAIL_EVENT_TYPES, eventTime, type EmailEventType, type SesEventRecord } from '#shared/measurement/ses-event.ts';
import { decideSuppression, type DeliveryOutcome, type SuppressionReason } from '#shared/measurement/suppression.ts';

export interface RecordEmailEventDeps {
  table: Table;
  bus: EventBus;
  softBounceLimit: number;
  now: () => Date;
  /** The signing secret: it keys the customer id of an untagged email's recipient. */
  signingKey: string;
}

export type RecordOutcome =
  | { outcome: 'recorded'; customerId: string; eventType: EmailEventType; suppressed: SuppressionReason | undefined }
  | { outcome: 'duplicate'; customerId: string; eventType: EmailEventType }
  | { outcome: 'ignored'; reason: 'no-recipient' };

/** The claim of a campaign email is marked sent after SES answered; an event that beats it is retried later. */
export class ClaimNotSentYetError extends Error {
  override readonly name = 'ClaimNotSentYetError';
}

/** Per-customer event items expire after config/privacy.yaml `retention.emailEventsMonths` (13: a year of comparisons, plus a month); read once at cold start. */
const privacy = loadPrivacyConfig();
const MAX_ATTEMPTS = 5;

/** Counter names of contract 3. */
type Counter =
  | 'sent'
  | 'delivered'
  | 'bounced'
  | 'complained'
  | 'rejected'
  | 'renderingFailed'
  | 'delayed'
  | 'opened'
  | 'clicked'
  | 'opens'
  | 'clicks'
  | 'unsubscribed';

const COUNTER_OF: Record<EmailEventType, Counter> = {
  send: 'sent',
  delivery: 'delivered',
  bounce: 'bounced',
  complaint: 'complained',
  reject: 'rejected',
  'rendering-failure': 'renderingFailed',
  'delivery-delay': 'delayed',
  open: 'opens',
  click: 'clicks',
  subscription: 'unsubscribed',
};

/** The claim attribute each event sets the first time (if_not_exists). */
const CLAIM_FIELD: Partial<Record<EmailEventType, string>> = {
  delivery: 'deliveredAt',
  bounce: 'bouncedAt',
  complaint: 'complainedAt',
  reject: 'rejectedAt',
  'rendering-failure': 'renderingFailedAt',
  open: 'firstOpenedAt',
  click: 'firstClickedAt',
};

/** The profile's forward-only "last touch" of a campaign email. */
const LAST_TOUCH: Partial<Record<EmailEventType, 'lastEmailDelivered' | 'lastEmailOpened' | 'lastEmailClicked'>> = {
  delivery: 'lastEmailDelivered',
  open: 'lastEmailOpened',
  click: 'lastEmailClicked',
};

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

interface Subject {
  customerId: string;
  campaignId: string | undefined;
  occurrenceId: string | undefined;
  kind: EmailKind | undefined;
  messageId: string;
  eventType: EmailEventType;
  at: string;
}

export async function recordEmailEvent(deps: RecordEmailEventDeps, record: SesEventRecord): Promise<RecordOutcome> {
  const subject = subjectOf(record, deps.signingKey);
  if (!subject) return { outcome: 'ignored', reason: 'no-recipient' };
  const campaignEmail = subject.campaignId !== undefined && subject.occurrenceId !== undefined;
  // Every event of a campaign email reads its claim: to record on it, or to settle a send whose outcome was unknown.
  let withClaim = campaignEmail && CLAIM_FIELD[subject.eventType] !== undefined;

  return retry(
    async (attempt) => {
      const [profile, claim] = await Promise.all([
        getItem(deps.table, keys.profile(subject.customerId)),
        campaignEmail && subject.campaignId && subject.occurrenceId
          ? getItem(deps.table, keys.sendClaim(subject.campaignId, subject.occurrenceId, subject.customerId))
          : Promise.resolve(undefined),
      ]);
      // No claim at all (an erased customer, a claim written by nothing): record the rest without it.
      if (withClaim && claim === undefined) withClaim = false;
      // Any SES event of the email proves SES took it: a claim left unknown (or by a dead worker) is marked sent now.
      if (campaignEmail && claim !== undefined && reconcilable(claim, deps.now())) {
        if (attempt >= MAX_ATTEMPTS)
          throw new ClaimNotSentYetError(`the claim of message ${subject.messageId} kept changing while it was reconciled; retry later`);
        await reconcileClaim(deps, record, subject, claim, profile);
        throw new Contended(); // Read the claim again, as reconciled (by this event or another).
      }
      if (withClaim && claim?.status !== 'sent')
        throw new ClaimNotSentYetError(`the claim of message ${subject.messageId} is not marked sent yet; retry later`);

      const plan = planWrites(deps, record, subject, profile, withClaim ? claim : undefined);
      try {
        await deps.table.doc.send(new TransactWriteCommand({ TransactItems: plan.items }));
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [eventItem] = error.CancellationReasons ?? [];
        if (eventItem?.Code === 'ConditionalCheckFailed') {
          // Recorded before. A crash between the transaction and the withdrawal must not lose the withdrawal: redo it (idempotent).
          if (plan.withdrawConsent) await withdraw(deps, subject);
          return { outcome: 'duplicate', customerId: subject.customerId, eventType: subject.eventType };
        }
        throw error; // The profile or claim moved meanwhile: decide again on what is there now.
      }
      if (plan.withdrawConsent) await withdraw(deps, subject);
      await publishEvents(deps.bus, plan.events);
      logger.info('email event recorded', {
        customerId: subject.customerId,
        messageId: subject.messageId,
        eventType: subject.eventType,
        campaignId: subject.campaignId,
        suppressed: plan.suppressed,
      });
      return { outcome: 'recorded', customerId: subject.customerId, eventType: subject.eventType, suppressed: plan.suppressed };
    },
    { attempts: MAX_ATTEMPTS, backoff: noWait, retryOn: (error) => error instanceof Contended || error instanceof TransactionCanceledException },
  );
}

/** Who and what the event is about: from our tags, else (an untagged email) the customer id derived from the address. */
function subjectOf(record: SesEventRecord, signingKey: string): Subject | undefined {
  const tags = readEmailTags(record.mail.tags);
  const address = record.mail.destination[0];
  const customerId = tags.customerId ?? (address ? customerIdForEmail(address, signingKey) : undefined);
  if (!customerId) return undefined;
  return {
    customerId,
    campaignId: tags.campaignId,
    occurrenceId: tags.campaignId ? tags.occurrenceId : undefined,
    kind: tags.kind,
    messageId: record.mail.messageId,
    eventType: EMAIL_EVENT_TYPES[record.eventType],
    at: new Date(eventTime(record)).toISOString(),
  };
}

interface WritePlan {
  items: TransactItem[];
  events: DomainEvent[];
  suppressed: SuppressionReason | undefined;
  withdrawConsent: boolean;
}

function planWrites(
  deps: RecordEmailEventDeps,
  record: SesEventRecord,
  s: Subject,
  profile: Record<string, unknown> | undefined,
  claim: Record<string, unknown> | undefined,
): WritePlan {
  const table = deps.table.name;
  const counters: Counter[] = [COUNTER_OF[s.eventType]];
  // Unique opens and clicks per message: known from the claim (campaign emails).
  const firstOpen = s.eventType === 'open' && claim !== undefined && claim.firstOpenedAt === undefined;
  const firstClick = s.eventType === 'click' && claim !== undefined && claim.firstClickedAt === undefined;
  if (firstOpen) counters.push('opened');
  if (firstClick) counters.push('clicked');

  const items: TransactItem[] = [{ Put: { TableName: table, Item: eventItem(record, s), ConditionExpression: 'attribute_not_exists(PK)' } }];
  const day = s.at.slice(0, 10);
  items.push(counterUpdate(table, keys.dailyEmailStats(day), counters, { day }));
  if (s.campaignId && s.occurrenceId)
    items.push(counterUpdate(table, keys.campaignStats(s.campaignId, s.occurrenceId), counters, { campaignId: s.campaignId, occurrenceId: s.occurrenceId }));

  const claimField = CLAIM_FIELD[s.eventType];
  if (claim && claimField && s.campaignId && s.occurrenceId) {
    const bounceType = record.eventType === 'Bounce' ? { ':bounceType': record.bounce.bounceType } : {};
    items.push({
      Update: {
        TableName: table,
        Key: keys.sendClaim(s.campaignId, s.occurrenceId, s.customerId),
        UpdateExpression: `SET #field = if_not_exists(#field, :at)${record.eventType === 'Bounce' ? ', bounceType = :bounceType' : ''}`,
        // Marked sent (so the sender's own write of the claim is over) and, for a first open/click, still first.
        ConditionExpression: `#status = :sent${firstOpen || firstClick ? ' AND attribute_not_exists(#field)' : ''}`,
        ExpressionAttributeNames: { '#field': claimField, '#status': 'status' },
        ExpressionAttributeValues: { ':at': s.at, ':sent': 'sent', ...bounceType },
      },
    });
  }

  const outcome: DeliveryOutcome =
    record.eventType === 'Delivery'
      ? { kind: 'delivery' }
      : record.eventType === 'Bounce'
        ? { kind: 'bounce', bounceType: record.bounce.bounceType }
        : record.eventType === 'Complaint'
          ? { kind: 'complaint' }
          : { kind: 'other' };
  const decision = decideSuppression(
    outcome,
    { softBounceStreak: numberOf(profile?.softBounceStreak), suppressedReason: reasonOf(profile?.suppressedReason) },
    deps.softBounceLimit,
  );

  if (profile) {
    const sets: string[] = [];
    const values: Record<string, unknown> = {};
    const touch = LAST_TOUCH[s.eventType];
    if (touch && s.campaignId && s.occurrenceId && isNewer(profile[touch], s.at)) {
      sets.push(`${touch} = :touch`);
      values[':touch'] = { at: s.at, campaignId: s.campaignId, occurrenceId: s.occurrenceId, messageId: s.messageId };
    }
    if (decision.softBounceStreak !== undefined) {
      sets.push('softBounceStreak = :streak');
      values[':streak'] = decision.softBounceStreak;
    }
    if (decision.suppress) {
      sets.push('suppressedReason = :reason', 'suppressedAt = :at');
      values[':reason'] = decision.suppress;
      values[':at'] = s.at;
    }
    if (sets.length > 0) {
      // A version of its own (not the sender's sendVersion): events for one customer are decided one at a time.
      const version = numberOf(profile.emailEventVersion);
      items.push({
        Update: {
          TableName: table,
          Key: keys.profile(s.customerId),
          UpdateExpression: `SET ${sets.join(', ')}, emailEventVersion = :next`,
          ConditionExpression: version === 0 ? 'attribute_exists(PK) AND attribute_not_exists(emailEventVersion)' : 'emailEventVersion = :version',
          ExpressionAttributeValues: { ...values, ':next': version + 1, ...(version === 0 ? {} : { ':version': version }) },
        },
      });
    }
  }
  const suppress = profile ? decision.suppress : undefined;
  if (suppress) {
    items.push({
      Update: {
        TableName: table,
        Key: keys.suppression(s.customerId),
        // The first reason stays, should the item exist already (the profile is the one that is checked before sending).
        UpdateExpression:
          'SET entityType = if_not_exists(entityType, :type), customerId = :customer, reason = if_not_exists(reason, :reason), #at = if_not_exists(#at, :at), messageId = if_not_exists(messageId, :messageId)',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':type': 'SUPPRESSION', ':customer': s.customerId, ':reason': suppress, ':at': s.at, ':messageId': s.messageId },
      },
    });
  }
  return {
    items,
    events: outcomeEvents(record, s, suppress, firstOpen, firstClick),
    suppressed: suppress,
    withdrawConsent: decision.withdrawConsent && profile !== undefined,
  };
}

function eventItem(record: SesEventRecord, s: Subject): Record<string, unknown> {
  const details: Record<string, unknown> =
    record.eventType === 'Bounce'
      ? { bounceType: record.bounce.bounceType, bounceSubType: record.bounce.bounceSubType }
      : record.eventType === 'Click'
        ? { link: linkWithoutQuery(record.click.link) }
        : record.eventType === 'Complaint' && record.complaint.complaintFeedbackType
          ? { complaintFeedbackType: record.complaint.complaintFeedbackType }
          : record.eventType === 'DeliveryDelay'
            ? { delayType: record.deliveryDelay.delayType }
            : {};
  return {
    ...keys.emailEvent(s.customerId, s.at, s.eventType, s.messageId),
    entityType: 'EMAIL_EVENT',
    eventType: s.eventType,
    customerId: s.customerId,
    ...(s.campaignId ? { campaignId: s.campaignId } : {}),
    ...(s.occurrenceId ? { occurrenceId: s.occurrenceId } : {}),
    messageId: s.messageId,
    ...(s.kind ? { kind: s.kind } : {}),
    at: s.at,
    ...details,
    expiresAt: emailEventExpiresAt(new Date(s.at), privacy),
  };
}

function counterUpdate(table: string, key: { PK: string; SK: string }, counters: Counter[], attributes: Record<string, string>): TransactItem {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':one': 1, ':type': key.PK === 'STATS#ALL' ? 'DAILY_EMAIL_STATS' : 'CAMPAIGN_STATS' };
  const adds = counters.map((counter, i) => {
    names[`#c${i}`] = counter;
    return `#c${i} :one`;
  });
  const sets = Object.entries(attributes).map(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    return `#a${i} = :a${i}`;
  });
  return {
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression: `SET entityType = :type, ${sets.join(', ')} ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

function outcomeEvents(record: SesEventRecord, s: Subject, suppressed: SuppressionReason | undefined, firstOpen: boolean, firstClick: boolean): DomainEvent[] {
  const common = {
    customerId: s.customerId,
    messageId: s.messageId,
    at: s.at,
    ...(s.campaignId ? { campaignId: s.campaignId } : {}),
    ...(s.occurrenceId ? { occurrenceId: s.occurrenceId } : {}),
    ...(s.kind ? { kind: s.kind } : {}),
  };
  switch (record.eventType) {
    case 'Delivery':
      return [EmailDelivered.create(common)];
    case 'Bounce':
      return [
        EmailBounced.create({
          ...common,
          bounceType: record.bounce.bounceType,
          bounceSubType: record.bounce.bounceSubType,
          suppressed: suppressed !== undefined,
        }),
      ];
    case 'Complaint':
      return [EmailComplained.create(common)];
    case 'Open':
      return [EmailOpened.create({ ...common, firstOpen })];
    case 'Click':
      return [EmailClicked.create({ ...common, link: linkWithoutQuery(record.click.link), firstClick })];
    default:
      return [];
  }
}

async function withdraw(deps: RecordEmailEventDeps, s: Subject): Promise<void> {
  await withdrawMarketingConsent(deps, {
    customerId: s.customerId,
    at: s.at,
    ref: `complaint#${s.messageId}`,
    source: 'complaint',
    campaignId: s.campaignId,
    details: { messageId: s.messageId },
  });
}

/**
 * A claim SES's event settles: `unknown` (the SES call timed out after the request was written), or `claimed`
 * past its lease (the worker died before it could mark it sent). Not one still inside its lease: that worker is
 * about to mark it sent itself.
 */
function reconcilable(claim: Record<string, unknown>, now: Date): boolean {
  if (claim.status === 'unknown') return true;
  return claim.status === 'claimed' && typeof claim.leaseUntil === 'number' && claim.leaseUntil <= now.getTime();
}

/**
 * Marks the claim sent with the event's message id (the one SendEmail never returned to us), only if it is still the
 * claim that was read (same token, still unsettled), and publishes the EmailSent the sender could not.
 */
async function reconcileClaim(
  deps: RecordEmailEventDeps,
  record: SesEventRecord,
  s: Subject,
  claim: Record<string, unknown>,
  profile: Record<string, unknown> | undefined,
): Promise<void> {
  const { campaignId, occurrenceId } = s;
  if (!campaignId || !occurrenceId) return;
  const now = deps.now();
  const sentAt = new Date(Date.parse(record.mail.timestamp) || now.getTime()).toISOString();
  const reconciled = await writeIfConditionHolds(() =>
    deps.table.doc.send(
      new UpdateCommand({
        TableName: deps.table.name,
        Key: keys.sendClaim(campaignId, occurrenceId, s.customerId),
        UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :sentAt, reconciledAt = :now, reconciledBy = :eventType',
        ConditionExpression: 'claimToken = :token AND (#status = :unknown OR (#status = :claimed AND leaseUntil <= :nowMs))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':messageId': s.messageId,
          ':sentAt': sentAt,
          ':now': now.toISOString(),
          ':eventType': s.eventType,
          ':token': typeof claim.claimToken === 'string' ? claim.claimToken : '',
          ':unknown': 'unknown',
          ':claimed': 'claimed',
          ':nowMs': now.getTime(),
        },
      }),
    ),
  );
  // Settled meanwhile (another event of this email, or a retry took the claim over): the caller reads it again.
  if (!reconciled) return;
  logger.info('send claim reconciled from an SES event', {
    customerId: s.customerId,
    campaignId: s.campaignId,
    messageId: s.messageId,
    eventType: s.eventType,
  });
  // An unknown claim kept the locale it was rendered in; a dead worker's claim has none: the profile's is the best guess.
  const locale =
    typeof claim.locale === 'string' && isSupportedLocale(claim.locale)
      ? claim.locale
      : (nearestSupportedLocale(typeof profile?.locale === 'string' ? profile.locale : undefined) ?? 'en');
  await publishEvents(deps.bus, [
    EmailSent.create({
      customerId: s.customerId,
      campaignId,
      occurrenceId,
      messageId: s.messageId,
      locale,
      withCoupon: typeof claim.couponCode === 'string',
      sentAt,
    }),
  ]);
}

async function getItem(table: Table, key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
  const result = await table.doc.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }));
  return result.Item;
}

/** The link a click went to, without its query string (tracking parameters, tokens). */
export function linkWithoutQuery(link: string): string {
  const cut = link.search(/[?#]/);
  return cut === -1 ? link : link.slice(0, cut);
}

function isNewer(current: unknown, at: string): boolean {
  if (typeof current !== 'object' || current === null) return true;
  const previous: unknown = Reflect.get(current, 'at');
  return typeof previous !== 'string' || previous < at;
}

function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function reasonOf(value: unknown): SuppressionReason | undefined {
  return value === 'bounce' || value === 'complaint' ? value : undefined;
}
