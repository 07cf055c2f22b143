/**
 * The sender's one job: deliver one queued campaign email at most once.
 *
 *   read profile + claim → policy (consent, suppression, cap, quiet hours, exit condition)
 *   → claim (campaign, occurrence, customer) in a transaction that also records the send on the profile (and so
 *     counts it against the frequency cap) → render → SES → mark the claim sent → EmailSent
 *
 * Retries are safe at every step: a `sent` claim is never sent again; a claim whose worker is still inside its
 * lease makes the retry wait; a lease that ran out means the worker died before SES answered, so the email is
 * sent by the retry. The one window that can send twice is a crash *after* SES accepted and *before* the claim
 * was marked sent — milliseconds, documented in the README, and unavoidable because SES has no idempotency key.
 *
 * A failed SES call is classified (ses-failure.ts). Throttled or rejected: nothing went out, the claim is given
 * back for the retry. Unknown (a timeout or reset after the request was written, a 5xx): the email may be out, so
 * the claim becomes `unknown` for a new lease — never released for an immediate resend. The email's tags name the
 * claim (campaign, occurrence, customer), so the SES Send/Delivery event that arrives without the MessageId we never
 * got marks it sent (record-email-event.ts); only if no event comes within the lease may a retry send it again.
 */
import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Campaign } from '#shared/campaigns/campaign-config.ts';
import type { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { consentCoversAddress, decideSend, type SendPolicy } from '#shared/campaigns/send-policy.ts';
import { consentAddressOf } from '#shared/capture/consent.ts';
import { buildTemplateContext } from '#shared/campaigns/template-variables.ts';
import { templateFolderOf } from '#shared/campaigns/campaign-config.ts';
import type { EmailSender } from '#shared/email/send-email.ts';
import { classifySesFailure, SesThrottledError } from '#shared/email/ses-failure.ts';
import { EmailSent } from '#shared/events/email-sent.ts';
import type { DomainEvent } from '#shared/events/event-definition.ts';
import { publishEvents, type EventBus } from '#shared/events/publish-events.ts';
import { formatMoney, formatPercent } from '#shared/i18n/format.ts';
import { nearestSupportedLocale, type Locale } from '#shared/locales.ts';
import { toMinorUnits } from '#shared/money.ts';
import { profileFromItem, type CustomerProfile } from '#shared/profiles/customer-profile.ts';
import { logger } from '#shared/logger.ts';
import { campaignEmailTags } from '#shared/measurement/email-tags.ts';
import { timeZoneOfCountry } from '#shared/campaigns/country-time-zone.ts';
import { instantsOfWallTime } from '#shared/schedule/zoned-time.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { campaignCouponCode } from '#shared/sending/campaign-coupon.ts';
import type { Pacer } from '#shared/sending/pacer.ts';
import { sendRef, type SendRequest } from '#shared/sending/send-request.ts';
import { listUnsubscribeHeaders, unsubscribeUrl } from '#shared/sending/unsubscribe-link.ts';
import type { SurveyLinks } from '#shared/survey/survey-block.ts';
import { surveyUrl } from '#shared/survey/survey-link.ts';

export interface SenderDeps {
  table: Table;
  bus: EventBus;
  email: EmailSender;
  templates: CampaignTemplates;
  campaigns: ReadonlyMap<string, Campaign>;
  policy: SendPolicy;
  fallbackLocale: Locale;
  shop: { name: string; url: string; baseCurrency: string };
  publicBaseUrl: string;
  signingKey: string;
  now: () => Date;
  /** How long a claim protects an in-flight send from a concurrent retry, and an unknown SES outcome from a resend. Default 60 s (> the SES call's timeout). */
  leaseSeconds?: number;
  /** Paces the SES calls to the configured send rate (none: as fast as SES answers). */
  pacer?: Pacer;
}

export type SkipReason = 'no-consent' | 'suppressed' | 'unsubscribed' | 'frequency-cap' | 'exited' | 'duplicate' | 'held-out' | 'unknown-customer' | 'unknown-campaign' | 'disabled' | 'no-address';

export type SendOutcome =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'skipped'; reason: SkipReason }
  | { outcome: 'deferred'; until: Date; reason: 'not-before' | 'quiet-hours' | 'local-time' }
  /** Another worker holds the claim: try again after `until`. */
  | { outcome: 'busy'; until: Date }
  /** SES may have sent it (the call timed out): held until an SES event settles it or the lease ends at `until`. */
  | { outcome: 'unknown'; until: Date };

interface ClaimItem {
  /**
   * `held-out`: the planner put this customer in the campaign's holdout group; never sent, never taken over.
   * `unknown`: the SES call's outcome is unknown; taken over only once its lease is over (no event came).
   */
  status: 'claimed' | 'sent' | 'held-out' | 'unknown';
  claimToken: string;
  leaseUntil: number;
  couponCode: string | undefined;
}

function leaseMs(deps: SenderDeps): number {
  return (deps.leaseSeconds ?? 60) * 1000;
}

const MAX_CLAIM_ATTEMPTS = 4;

interface ReadState {
  profileItem: Record<string, unknown> | undefined;
  claim: ClaimItem | undefined;
}

/** A send that passed every check and is ready to be claimed: the transaction items and what delivery needs. */
interface ClaimPlan {
  request: SendRequest;
  campaign: Campaign;
  profile: CustomerProfile;
  address: string;
  claimToken: string;
  couponCode: string | undefined;
  now: Date;
  /** True when an expired claim of a dead worker is taken over (it has no full claim item to batch-write). */
  takeover: boolean;
  items: TransactItem[];
  /** The claim item as written (new claims only): marking it sent can then be a plain batch put. */
  claimItem: Record<string, unknown> | undefined;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Prepared = { kind: 'done'; outcome: SendOutcome } | { kind: 'claim'; plan: ClaimPlan };

/** The checks that need nothing from the table: an outcome already, or the campaign to go on with. */
function precheck(deps: SenderDeps, request: SendRequest, now: Date): { outcome: SendOutcome } | { campaign: Campaign } {
  const campaign = deps.campaigns.get(request.campaignId);
  if (!campaign) return { outcome: { outcome: 'skipped', reason: 'unknown-campaign' } };
  if (!campaign.enabled) return { outcome: { outcome: 'skipped', reason: 'disabled' } };
  if (request.notBefore && Date.parse(request.notBefore) > now.getTime()) return { outcome: { outcome: 'deferred', until: new Date(request.notBefore), reason: 'not-before' } };
  return { campaign };
}

/** Everything decided from what was read: skip, wait, or the claim to make. */
function prepare(deps: SenderDeps, campaign: Campaign, request: SendRequest, state: ReadState, now: Date): Prepared {
  const { profileItem, claim } = state;
  if (claim?.status === 'sent') return { kind: 'done', outcome: { outcome: 'skipped', reason: 'duplicate' } };
  if (claim?.status === 'held-out') return { kind: 'done', outcome: { outcome: 'skipped', reason: 'held-out' } };
  if (claim && claim.leaseUntil > now.getTime()) return { kind: 'done', outcome: { outcome: 'busy', until: new Date(claim.leaseUntil) } };
  if (!profileItem) return { kind: 'done', outcome: { outcome: 'skipped', reason: 'unknown-customer' } };

  const profile = profileFromItem(profileItem);
  if (campaign.kind === 'triggered' && campaign.exitIf.includes('purchased-since-trigger') && profile.lastPurchaseAt !== undefined && profile.lastPurchaseAt > request.triggeredAt) {
    return { kind: 'done', outcome: { outcome: 'skipped', reason: 'exited' } };
  }
  const recentSends = stringList(profileItem.recentMarketingSends);
  const timeZone = timeZoneOfCountry(profile.country);
  const localAt = request.localWallTime && timeZone ? instantOfWallTime(request.localWallTime, timeZone) : undefined;
  if (localAt !== undefined && localAt > now.getTime()) return { kind: 'done', outcome: { outcome: 'deferred', until: new Date(localAt), reason: 'local-time' } };
  const address = typeof profileItem.confirmedEmail === 'string' ? profileItem.confirmedEmail : undefined;
  if (!address) return { kind: 'done', outcome: { outcome: 'skipped', reason: 'no-address' } };
  const consentAddress = consentAddressOf(address);
  // A taken-over claim was already counted against the cap when it was first made.
  const decision = decideSend(
    {
      marketingConsent: consentCoversAddress(profileItem, consentAddress),
      suppressed: suppressionOf(profileItem.suppressedReason),
      unsubscribedAll: typeof profileItem.unsubscribedAllAt === 'string',
      recentSends: claim ? [] : recentSends,
      timeZone,
    },
    deps.policy,
    now,
    campaign.purpose,
  );
  if (decision.action === 'skip') return { kind: 'done', outcome: { outcome: 'skipped', reason: decision.reason } };
  if (decision.action === 'defer') return { kind: 'done', outcome: { outcome: 'deferred', until: decision.until, reason: decision.reason } };

  const claimToken = randomUUID();
  const leaseUntil = now.getTime() + leaseMs(deps);
  const couponCode = claim?.couponCode ?? (campaign.coupon ? campaignCouponCode(campaign.coupon.prefix, deps.signingKey, sendRef(request)) : undefined);
  const version = typeof profileItem.sendVersion === 'number' ? profileItem.sendVersion : 0;
  const common = { request, campaign, profile, address, claimToken, couponCode, now };
  if (claim) return { kind: 'claim', plan: { ...common, takeover: true, items: takeOverClaim(deps.table, request, claim.claimToken, claimToken, leaseUntil, now), claimItem: undefined } };
  const fresh = newClaim(deps, campaign, request, { claimToken, leaseUntil, couponCode, version, recentSends, consentAddress, now });
  return { kind: 'claim', plan: { ...common, takeover: false, items: fresh.items, claimItem: fresh.claimItem } };
}

type Delivery = { kind: 'sent'; messageId: string; locale: Locale } | { kind: 'unknown'; until: Date };

/**
 * Renders and hands the email to SES. When SES surely did not send it (throttled, rejected) the claim is given back
 * so a retry need not wait out the lease; when it may have, the claim is held as `unknown` (see the top).
 */
async function deliver(deps: SenderDeps, plan: ClaimPlan): Promise<Delivery> {
  const { campaign, profile, request, now, couponCode } = plan;
  const locale = deps.templates.localeFor(templateFolderOf(campaign), nearestSupportedLocale(profile.locale));
  // A marketing email's link (and RFC 8058 one-click header) withdraws marketing consent. A service email is one
  // person's own business, not bulk mail: no List-Unsubscribe header, and its footer link stops every email.
  const service = campaign.purpose === 'service';
  const url = unsubscribeUrl(deps.publicBaseUrl, deps.signingKey, { customerId: request.customerId, campaignId: campaign.id, scope: service ? 'all' : 'marketing', occurrenceId: request.occurrenceId }, now);
  const rendered = deps.templates.render(
    templateFolderOf(campaign),
    locale,
    buildTemplateContext({
      profile,
      locale,
      shop: deps.shop,
      campaignId: campaign.id,
      unsubscribeUrl: url,
      coupon: campaign.coupon && couponCode ? { code: couponCode, discount: discountText(campaign.coupon.discount, deps.shop.baseCurrency, locale), expiresAt: new Date(now.getTime() + campaign.coupon.validDays * 86_400_000).toISOString(), appliesTo: campaign.coupon.appliesTo.join(', ') } : undefined,
    }),
    { survey: surveyLinks(deps, campaign, request, now) },
  );
  try {
    await deps.pacer?.take();
    const { messageId } = await deps.email.send({ to: plan.address, subject: rendered.subject, html: rendered.html, text: rendered.text, headers: service ? [] : listUnsubscribeHeaders(url), tags: campaignEmailTags({ campaignId: campaign.id, occurrenceId: request.occurrenceId, customerId: request.customerId, kind: campaign.purpose }) });
    return { kind: 'sent', messageId, locale };
  } catch (error) {
    const failure = classifySesFailure(error);
    if (failure === 'unknown') {
      const until = new Date(deps.now().getTime() + leaseMs(deps));
      await markUnknown(deps.table, request, { claimToken: plan.claimToken, locale, until, now: deps.now() }).catch((markError: unknown) => {
        // Still `claimed` under its lease: a retry waits all the same, and an SES event settles it too.
        logger.error('SES outcome unknown and the claim could not be marked so', { ref: sendRef(request), error: markError instanceof Error ? markError.message : String(markError) });
      });
      logger.warn('SES outcome unknown; the claim is held until an SES event or the lease settles it', { ref: sendRef(request), error: errorText(error), until: until.toISOString() });
      return { kind: 'unknown', until };
    }
    await releaseClaim(deps.table, request, plan.claimToken).catch(() => undefined);
    if (failure === 'throttled') {
      deps.pacer?.backOff?.();
      throw new SesThrottledError(`SES throttled the send: ${errorText(error)}`);
    }
    throw error;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** One signed link per answer of the campaign's survey, each naming this email (campaign, occurrence, customer). */
function surveyLinks(deps: SenderDeps, campaign: Campaign, request: SendRequest, now: Date): SurveyLinks | undefined {
  if (campaign.kind !== 'triggered' || !campaign.survey) return undefined;
  return {
    choices: campaign.survey.choices,
    urlFor: (choice) => surveyUrl(deps.publicBaseUrl, deps.signingKey, { customerId: request.customerId, campaignId: campaign.id, occurrenceId: request.occurrenceId, choice }, now),
  };
}

function sentEvent(plan: ClaimPlan, messageId: string, locale: Locale): DomainEvent {
  const { request } = plan;
  return EmailSent.create({ customerId: request.customerId, campaignId: request.campaignId, occurrenceId: request.occurrenceId, messageId, locale, withCoupon: plan.couponCode !== undefined, sentAt: plan.now.toISOString() });
}

/**
 * Sends one queued email. EmailSent is published at least once per send: straight away, or — when `collect` is
 * given — by the caller, in one PutEvents call per batch. (Consumers key on the SES message id.)
 */
export async function sendCampaignEmail(deps: SenderDeps, request: SendRequest, collect?: DomainEvent[]): Promise<SendOutcome> {
  const now = deps.now();
  const checked = precheck(deps, request, now);
  if ('outcome' in checked) return checked.outcome;
  for (let attempt = 1; ; attempt++) {
    const state = (await readStates(deps.table, [request])).get(sendRef(request)) ?? { profileItem: undefined, claim: undefined };
    const prepared = prepare(deps, checked.campaign, request, state, now);
    if (prepared.kind === 'done') return prepared.outcome;
    const { plan } = prepared;
    try {
      await deps.table.doc.send(new TransactWriteCommand({ TransactItems: plan.items }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || attempt >= MAX_CLAIM_ATTEMPTS) throw error;
      // Someone else claimed it, the profile changed (consent, another send) or a code collided: look again.
      continue;
    }
    const delivery = await deliver(deps, plan);
    if (delivery.kind === 'unknown') return { outcome: 'unknown', until: delivery.until };
    const { messageId, locale } = delivery;
    await markSentOrLog(deps.table, request, { claimToken: plan.claimToken, messageId, locale, now });
    const event = sentEvent(plan, messageId, locale);
    if (collect) collect.push(event);
    else await publishEvents(deps.bus, [event]);
    return { outcome: 'sent', messageId };
  }
}

/**
 * Sends a batch (≤ MAX_SEND_BATCH; processSendBatch splits bigger SQS batches) with a handful of table requests
 * instead of a handful per email: one BatchGetItem for the profiles, one transaction claiming every send, SES calls
 * side by side, one BatchWriteItem marking them sent. Anything unusual — a duplicate or a second email to one
 * customer in the batch, a claim that already exists (a redelivery: the transaction's condition fails), a
 * transaction that a concurrent sender cancelled — takes the
 * one-at-a-time path above, which re-reads and decides again. Results are in the order of `requests`; an Error
 * means that message must be retried.
 */
export async function sendCampaignBatch(deps: SenderDeps, requests: readonly SendRequest[], collect: DomainEvent[]): Promise<(SendOutcome | Error)[]> {
  const now = deps.now();
  const checks = requests.map((request) => precheck(deps, request, now));
  const results: (SendOutcome | Error | undefined)[] = checks.map((checked) => ('outcome' in checked ? checked.outcome : undefined));
  const slow: number[] = [];
  const fast: number[] = [];
  const refs = new Set<string>();
  const customers = new Set<string>();
  requests.forEach((request, i) => {
    if (results[i] !== undefined) return;
    // One transaction may touch an item once: a second email to the same customer (or a duplicate) goes the slow way.
    if (refs.has(sendRef(request)) || customers.has(request.customerId)) slow.push(i);
    else fast.push(i);
    refs.add(sendRef(request));
    customers.add(request.customerId);
  });

  // Profiles only: a first delivery has no claim, and one that exists (a redelivery, a re-planned occurrence)
  // fails the claim's attribute_not_exists condition, which sends the batch the careful way below.
  const states = await readStates(deps.table, fast.map((i) => requests[i]).filter((r): r is SendRequest => r !== undefined), { claims: false });
  const plans: { index: number; plan: ClaimPlan }[] = [];
  for (const i of fast) {
    const request = requests[i];
    const checked = checks[i];
    if (!request || !checked || 'outcome' in checked) continue;
    const prepared = prepare(deps, checked.campaign, request, states.get(sendRef(request)) ?? { profileItem: undefined, claim: undefined }, now);
    if (prepared.kind === 'done') results[i] = prepared.outcome;
    else if (prepared.plan.takeover) slow.push(i);
    else plans.push({ index: i, plan: prepared.plan });
  }

  let claimed = plans;
  if (plans.length > 0) {
    try {
      await deps.table.doc.send(new TransactWriteCommand({ TransactItems: plans.flatMap((p) => p.plan.items) }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      slow.push(...plans.map((p) => p.index));
      claimed = [];
    }
  }

  const delivered: { index: number; plan: ClaimPlan; messageId: string; locale: Locale }[] = [];
  await Promise.all(
    claimed.map(async ({ index, plan }) => {
      try {
        const delivery = await deliver(deps, plan);
        if (delivery.kind === 'unknown') results[index] = { outcome: 'unknown', until: delivery.until };
        else delivered.push({ index, plan, messageId: delivery.messageId, locale: delivery.locale });
      } catch (error) {
        results[index] = error instanceof Error ? error : new Error(String(error));
      }
    }),
  );
  try {
    await markAllSent(deps.table, delivered.map((d) => ({ ...d, now })));
  } catch {
    await Promise.all(delivered.map((d) => markSentOrLog(deps.table, d.plan.request, { claimToken: d.plan.claimToken, messageId: d.messageId, locale: d.locale, now })));
  }
  for (const d of delivered) {
    results[d.index] = { outcome: 'sent', messageId: d.messageId };
    collect.push(sentEvent(d.plan, d.messageId, d.locale));
  }

  for (const i of slow) {
    const request = requests[i];
    if (!request) continue;
    try {
      results[i] = await sendCampaignEmail(deps, request, collect);
    } catch (error) {
      results[i] = error instanceof Error ? error : new Error(String(error));
    }
  }
  return results.map((r) => r ?? new Error('not processed'));
}

/** Profiles (and claims, unless told not to) of the batch in one BatchGetItem (≤ 100 keys), retrying unprocessed keys. */
async function readStates(table: Table, requests: readonly SendRequest[], read: { claims: boolean } = { claims: true }): Promise<Map<string, ReadState>> {
  const out = new Map<string, ReadState>();
  if (requests.length === 0) return out;
  const found = new Map<string, Record<string, unknown>>();
  let pending: Record<string, unknown>[] = requests.flatMap((r) => [keys.profile(r.customerId), ...(read.claims ? [keys.sendClaim(r.campaignId, r.occurrenceId, r.customerId)] : [])]);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const result = await table.doc.send(new BatchGetCommand({ RequestItems: { [table.name]: { Keys: pending, ConsistentRead: true } } }));
    for (const item of result.Responses?.[table.name] ?? []) found.set(`${String(item.PK)}|${String(item.SK)}`, item);
    pending = result.UnprocessedKeys?.[table.name]?.Keys ?? [];
    if (pending.length > 0 && attempt >= MAX_CLAIM_ATTEMPTS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${attempt} attempts`);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
  }
  for (const request of requests) {
    const profileKey = keys.profile(request.customerId);
    const claimKey = keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId);
    const claimItem = found.get(`${claimKey.PK}|${claimKey.SK}`);
    out.set(sendRef(request), { profileItem: found.get(`${profileKey.PK}|${profileKey.SK}`), claim: claimItem ? claimOf(claimItem) : undefined });
  }
  return out;
}

/** Marks new claims sent with one BatchWriteItem (a full put: the claim is this worker's, under its lease). */
async function markAllSent(table: Table, sent: readonly { plan: ClaimPlan; messageId: string; locale: Locale; now: Date }[]): Promise<void> {
  const puts: { PutRequest: { Item: Record<string, unknown> } }[] = sent.flatMap(({ plan, messageId, locale, now }) =>
    plan.claimItem ? [{ PutRequest: { Item: { ...plan.claimItem, status: 'sent', messageId, sentAt: now.toISOString(), locale } } }] : [],
  );
  let pending = puts;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const result = await table.doc.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending } }));
    const unprocessed = result.UnprocessedItems?.[table.name] ?? [];
    pending = unprocessed.flatMap((w) => (w.PutRequest?.Item ? [{ PutRequest: { Item: w.PutRequest.Item } }] : []));
    if (pending.length > 0 && attempt >= MAX_CLAIM_ATTEMPTS) throw new Error(`BatchWriteItem left ${pending.length} sent claims unwritten after ${attempt} attempts`);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
  }
}

function claimOf(item: Record<string, unknown>): ClaimItem {
  return {
    status: item.status === 'sent' || item.status === 'held-out' || item.status === 'unknown' ? item.status : 'claimed',
    claimToken: typeof item.claimToken === 'string' ? item.claimToken : '',
    leaseUntil: typeof item.leaseUntil === 'number' ? item.leaseUntil : 0,
    couponCode: typeof item.couponCode === 'string' ? item.couponCode : undefined,
  };
}

function newClaim(
  deps: SenderDeps,
  campaign: Campaign,
  request: SendRequest,
  claim: { claimToken: string; leaseUntil: number; couponCode: string | undefined; version: number; recentSends: string[]; consentAddress: string; now: Date },
): { items: TransactItem[]; claimItem: Record<string, unknown> } {
  const { table } = deps;
  const claimItem: Record<string, unknown> = {
    ...keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId),
    entityType: 'SEND',
    campaignId: request.campaignId,
    occurrenceId: request.occurrenceId,
    customerId: request.customerId,
    status: 'claimed',
    claimToken: claim.claimToken,
    leaseUntil: claim.leaseUntil,
    claimedAt: claim.now.toISOString(),
    triggeredAt: request.triggeredAt,
    ...(claim.couponCode ? { couponCode: claim.couponCode } : {}),
  };
  const putClaim: TransactItem = { Put: { TableName: table.name, Item: claimItem, ConditionExpression: 'attribute_not_exists(PK)' } };
  const items: TransactItem[] = [putClaim, campaign.purpose === 'service' ? serviceSendUpdate(table, request, claim.now) : marketingSendUpdate(deps, request, claim)];
  if (claim.couponCode && campaign.coupon) {
    items.push({
      Put: {
        TableName: table.name,
        Item: {
          ...keys.incentiveCode(claim.couponCode),
          entityType: 'CODE',
          kind: 'campaign-coupon',
          campaignId: request.campaignId,
          occurrenceId: request.occurrenceId,
          customerId: request.customerId,
          discount: campaign.coupon.discount,
          appliesTo: campaign.coupon.appliesTo,
          issuedAt: claim.now.toISOString(),
          validUntil: new Date(claim.now.getTime() + campaign.coupon.validDays * 86_400_000).toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    });
  }
  return { items, claimItem };
}

/** A marketing send counts against the frequency cap: its time joins `recentMarketingSends` in the claim's transaction. */
function marketingSendUpdate(deps: SenderDeps, request: SendRequest, claim: { version: number; recentSends: string[]; consentAddress: string; now: Date }): TransactItem {
  const cutoff = claim.now.getTime() - deps.policy.frequencyCap.perDays * 86_400_000;
  const sends = [...claim.recentSends.filter((iso) => Date.parse(iso) > cutoff), claim.now.toISOString()];
  const { table } = deps;
  return {
    // Counting the send in the same transaction keeps the frequency cap exact when campaigns race for one customer,
    // and re-checks consent and suppression at the instant of the claim.
    Update: {
      TableName: table.name,
      Key: keys.profile(request.customerId),
      // The profile's record of the send (count, last campaign) is written with the claim: one write instead of two.
      UpdateExpression: 'SET recentMarketingSends = :sends, sendVersion = :next, lastEmailSentAt = :now, lastEmailCampaign = :campaign ADD emailsSent :one',
      ConditionExpression: `${claim.version === 0 ? 'attribute_not_exists(sendVersion)' : 'sendVersion = :version'} AND marketingConsent = :granted AND marketingConsentAddress = :consentAddress AND attribute_not_exists(suppressedReason)`,
      ExpressionAttributeValues: {
        ':sends': sends,
        ':next': claim.version + 1,
        ':granted': 'granted',
        // Consent is for one address: the one this email goes to, still the profile's (it may have moved since the read).
        ':consentAddress': claim.consentAddress,
        ':now': claim.now.toISOString(),
        ':campaign': request.campaignId,
        ':one': 1,
        ...(claim.version === 0 ? {} : { ':version': claim.version }),
      },
    },
  };
}

/**
 * A service send is recorded on the profile (count, last campaign) but not in `recentMarketingSends`, so it neither
 * counts against nor is held back by the marketing cap. It re-checks, at the instant of the claim, that the address
 * was not suppressed and the customer did not stop every email since the read.
 */
function serviceSendUpdate(table: Table, request: SendRequest, now: Date): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.profile(request.customerId),
      UpdateExpression: 'SET lastEmailSentAt = :now, lastEmailCampaign = :campaign ADD emailsSent :one',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(suppressedReason) AND attribute_not_exists(unsubscribedAllAt)',
      ExpressionAttributeValues: { ':now': now.toISOString(), ':campaign': request.campaignId, ':one': 1 },
    },
  };
}

function takeOverClaim(table: Table, request: SendRequest, previousToken: string, claimToken: string, leaseUntil: number, now: Date): TransactItem[] {
  return [
      {
        Update: {
          TableName: table.name,
          Key: keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId),
          // An `unknown` claim whose lease ran out with no SES event: the email was most likely never sent (see the top).
          UpdateExpression: 'SET #status = :claimed, claimToken = :token, leaseUntil = :lease, reclaimedAt = :now ADD attempts :one',
          ConditionExpression: '#status IN (:claimed, :unknown) AND claimToken = :previous AND leaseUntil <= :nowMs',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':token': claimToken, ':lease': leaseUntil, ':now': now.toISOString(), ':one': 1, ':claimed': 'claimed', ':unknown': 'unknown', ':previous': previousToken, ':nowMs': now.getTime() },
        },
      },
  ];
}

async function releaseClaim(table: Table, request: SendRequest, claimToken: string): Promise<void> {
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId),
      UpdateExpression: 'SET leaseUntil = :zero',
      ConditionExpression: 'claimToken = :token AND #status = :claimed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':zero': 0, ':token': claimToken, ':claimed': 'claimed' },
    }),
  );
}

/** SES may have sent it: hold the claim (no release) for a fresh lease; record-email-event marks it sent on an SES event. */
async function markUnknown(table: Table, request: SendRequest, unknown: { claimToken: string; locale: Locale; until: Date; now: Date }): Promise<void> {
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId),
      UpdateExpression: 'SET #status = :unknown, unknownAt = :now, leaseUntil = :until, locale = :locale',
      ConditionExpression: 'claimToken = :token AND #status = :claimed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':unknown': 'unknown', ':now': unknown.now.toISOString(), ':until': unknown.until.getTime(), ':locale': unknown.locale, ':token': unknown.claimToken, ':claimed': 'claimed' },
    }),
  );
}

async function markSent(table: Table, request: SendRequest, sent: { claimToken: string; messageId: string; locale: Locale; now: Date }): Promise<void> {
  await table.doc.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId),
      UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :now, locale = :locale',
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sent': 'sent', ':messageId': sent.messageId, ':now': sent.now.toISOString(), ':locale': sent.locale, ':token': sent.claimToken },
    }),
  );
}

/**
 * After SES accepted the email, failing the message would have SQS redeliver it and, once the lease is over, send
 * it again: so a claim that cannot be marked sent is logged (with ids only) and the send still counts as done.
 */
async function markSentOrLog(table: Table, request: SendRequest, sent: { claimToken: string; messageId: string; locale: Locale; now: Date }): Promise<void> {
  try {
    await markSent(table, request, sent);
  } catch (error) {
    logger.error('email sent but its claim could not be marked sent', { ref: sendRef(request), messageId: sent.messageId, error: error instanceof Error ? error.message : String(error) });
  }
}

function discountText(discount: { percent: number } | { amount: number }, currency: string, locale: Locale): string {
  if ('percent' in discount) return formatPercent(discount.percent, locale);
  return formatMoney(toMinorUnits(discount.amount, currency) ?? 0, currency, locale);
}

/** The first instant a zone's clocks show `YYYY-MM-DDTHH:mm` (a time skipped by a DST change moves to the next minute that exists). */
function instantOfWallTime(text: string, timeZone: string): number | undefined {
  const [date = '', time = ''] = text.split('T');
  const [year = 0, month = 0, day = 0] = date.split('-').map(Number);
  const [hour = 0, minute = 0] = time.split(':').map(Number);
  for (let shift = 0; shift <= 120; shift++) {
    const at = Date.UTC(year, month - 1, day, hour, minute + shift);
    const wall = new Date(at);
    const [first] = instantsOfWallTime({ year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(), hour: wall.getUTCHours(), minute: wall.getUTCMinutes() }, timeZone);
    if (first !== undefined) return first;
  }
  return undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function suppressionOf(value: unknown): 'bounce' | 'complaint' | undefined {
  return value === 'bounce' || value === 'complaint' ? value : undefined;
}
