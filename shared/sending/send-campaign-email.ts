/**
 * The sender's one job: deliver one queued campaign email at most once.
 *
 *   read profile + claim → policy (recipient-policy.ts: exit condition, local time, consent, suppression, cap,
 *   quiet hours) → claim (send-claims.ts: campaign, occurrence, customer) in a transaction that also records the send
 *   on the profile (and so counts it against the frequency cap) → render (render-campaign-email.ts) → SES → mark the
 *   claim sent → EmailSent
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
import type { Campaign } from '#shared/campaigns/campaign-config.ts';
import type { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import type { SendPolicy } from '#shared/campaigns/send-policy.ts';
import type { EmailSender } from '#shared/email/send-email.ts';
import { classifySesFailure, SesThrottledError } from '#shared/email/ses-failure.ts';
import { EmailSent } from '#shared/events/email-sent.ts';
import type { DomainEvent } from '#shared/events/event-definition.ts';
import { publishEvents, type EventBus } from '#shared/events/publish-events.ts';
import type { Locale } from '#shared/locales.ts';
import { logger } from '#shared/logger.ts';
import { Contended, isContended, noWait, retry } from '#shared/runtime/retry.ts';
import type { CustomerProfile } from '#shared/profiles/customer-profile.ts';
import type { Table } from '#shared/table/table-client.ts';
import { campaignCouponCode } from '#shared/sending/campaign-coupon.ts';
import type { Pacer } from '#shared/sending/pacer.ts';
import { checkRecipient, recipientOf, type Cleared, type SendRecipient } from '#shared/sending/recipient-policy.ts';
import { renderCampaignEmail } from '#shared/sending/render-campaign-email.ts';
import {
  claimStanding,
  markAllSent,
  markSentOrLog,
  markUnknown,
  newClaimWrites,
  readProfiles,
  readSendState,
  releaseClaim,
  takeOverWrites,
  writeClaims,
  type SendClaim,
  type TransactItem,
} from '#shared/sending/send-claims.ts';
import type { SendOutcome } from '#shared/sending/send-outcome.ts';

/** The sender's results, named where callers of the sender look for them. */
export type { SendOutcome, SkipReason } from '#shared/sending/send-outcome.ts';
import { sendRef, type SendRequest } from '#shared/sending/send-request.ts';

export interface SenderDeps {
  table: Table;
  bus: EventBus;
  email: EmailSender;
  templates: CampaignTemplates;
  campaigns: ReadonlyMap<string, Campaign>;
  policy: SendPolicy;
  shop: { name: string; url: string; baseCurrency: string };
  publicBaseUrl: string;
  signingKey: string;
  now: () => Date;
  /** How long a claim protects an in-flight send from a concurrent retry, and an unknown SES outcome from a resend. Default 60 s (> the SES call's timeout). */
  leaseSeconds?: number;
  /** Paces the SES calls to the configured send rate (none: as fast as SES answers). */
  pacer?: Pacer;
}

function leaseMs(deps: SenderDeps): number {
  return (deps.leaseSeconds ?? 60) * 1000;
}

const MAX_CLAIM_ATTEMPTS = 4;

/** A send that passed every check and is claimed (or about to be): what delivery needs. */
interface ClaimPlan {
  request: SendRequest;
  campaign: Campaign;
  profile: CustomerProfile;
  address: string;
  claimToken: string;
  couponCode: string | undefined;
  now: Date;
}

/** The checks that need nothing from the table: an outcome already, or the campaign to go on with. */
function precheck(deps: SenderDeps, request: SendRequest, now: Date): { outcome: SendOutcome } | { campaign: Campaign } {
  const campaign = deps.campaigns.get(request.campaignId);
  if (!campaign) return { outcome: { outcome: 'skipped', reason: 'unknown-campaign' } };
  if (!campaign.enabled) return { outcome: { outcome: 'skipped', reason: 'disabled' } };
  if (request.notBefore && Date.parse(request.notBefore) > now.getTime())
    return { outcome: { outcome: 'deferred', until: new Date(request.notBefore), reason: 'not-before' } };
  return { campaign };
}

/** The recipient as read, checked against the policy: an outcome, or the plan of the send with its claim's lease. */
function planSend(
  deps: SenderDeps,
  campaign: Campaign,
  request: SendRequest,
  profileItem: Record<string, unknown> | undefined,
  claim: SendClaim | undefined,
  now: Date,
): { outcome: SendOutcome } | { plan: ClaimPlan; recipient: SendRecipient; cleared: Cleared; leaseUntil: number } {
  if (!profileItem) return { outcome: { outcome: 'skipped', reason: 'unknown-customer' } };
  const recipient = recipientOf(profileItem);
  const checked = checkRecipient(recipient, campaign, request, { policy: deps.policy, now, alreadyCounted: claim !== undefined });
  if ('outcome' in checked) return checked;
  const { cleared } = checked;
  const couponCode = claim?.couponCode ?? (campaign.coupon ? campaignCouponCode(campaign.coupon.prefix, deps.signingKey, sendRef(request)) : undefined);
  const plan: ClaimPlan = { request, campaign, profile: recipient.profile, address: cleared.address, claimToken: randomUUID(), couponCode, now };
  return { plan, recipient, cleared, leaseUntil: now.getTime() + leaseMs(deps) };
}

/** A send with no claim yet: the plan, the transaction items of its new claim and the claim item as written. */
function planNewClaim(
  deps: SenderDeps,
  campaign: Campaign,
  request: SendRequest,
  profileItem: Record<string, unknown> | undefined,
  now: Date,
): { outcome: SendOutcome } | { plan: ClaimPlan; items: TransactItem[]; claimItem: Record<string, unknown> } {
  const planned = planSend(deps, campaign, request, profileItem, undefined, now);
  if ('outcome' in planned) return planned;
  const { plan, recipient, cleared, leaseUntil } = planned;
  const claim = {
    claimToken: plan.claimToken,
    leaseUntil,
    couponCode: plan.couponCode,
    sendVersion: recipient.sendVersion,
    recentSends: recipient.recentMarketingSends,
    consentAddress: cleared.consentAddress,
    now,
  };
  return { plan, ...newClaimWrites(deps.table, campaign, request, claim, deps.policy.frequencyCap.perDays) };
}

/** A send as read with its claim, if any: an outcome, or the plan and the writes that claim it (new, or taken over). */
function planClaim(
  deps: SenderDeps,
  campaign: Campaign,
  request: SendRequest,
  state: { profileItem: Record<string, unknown> | undefined; claim: SendClaim | undefined },
  now: Date,
): { outcome: SendOutcome } | { plan: ClaimPlan; items: TransactItem[] } {
  const { profileItem, claim } = state;
  if (!claim) return planNewClaim(deps, campaign, request, profileItem, now);
  const standing = claimStanding(claim, now);
  if (standing) return { outcome: standing };
  const planned = planSend(deps, campaign, request, profileItem, claim, now);
  if ('outcome' in planned) return planned;
  const { plan, leaseUntil } = planned;
  return { plan, items: takeOverWrites(deps.table, request, { previousToken: claim.claimToken, claimToken: plan.claimToken, leaseUntil, now }) };
}

type Delivery = { kind: 'sent'; messageId: string; locale: Locale } | { kind: 'unknown'; until: Date };

/**
 * Renders and hands the email to SES. When SES surely did not send it (throttled, rejected) the claim is given back
 * so a retry need not wait out the lease; when it may have, the claim is held as `unknown` (see the top).
 */
async function deliver(deps: SenderDeps, plan: ClaimPlan): Promise<Delivery> {
  const { request } = plan;
  const { locale, email } = renderCampaignEmail(deps, plan);
  try {
    await deps.pacer?.take();
    const { messageId } = await deps.email.send(email);
    return { kind: 'sent', messageId, locale };
  } catch (error) {
    const failure = classifySesFailure(error);
    if (failure === 'unknown') {
      const until = new Date(deps.now().getTime() + leaseMs(deps));
      await markUnknown(deps.table, request, { claimToken: plan.claimToken, locale, until, now: deps.now() }).catch((markError: unknown) => {
        // Still `claimed` under its lease: a retry waits all the same, and an SES event settles it too.
        logger.error('SES outcome unknown and the claim could not be marked so', {
          ref: sendRef(request),
          error: markError instanceof Error ? markError.message : String(markError),
        });
      });
      logger.warn('SES outcome unknown; the claim is held until an SES event or the lease settles it', {
        ref: sendRef(request),
        error: errorText(error),
        until: until.toISOString(),
      });
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

/** The email's EmailSent, carrying the correlation id of what caused this email (a batch may mix several). */
function sentEvent(plan: ClaimPlan, messageId: string, locale: Locale): DomainEvent {
  const { request } = plan;
  const event = EmailSent.create({
    customerId: request.customerId,
    campaignId: request.campaignId,
    occurrenceId: request.occurrenceId,
    messageId,
    locale,
    withCoupon: plan.couponCode !== undefined,
    sentAt: plan.now.toISOString(),
  });
  return request.correlationId === undefined ? event : { ...event, correlationId: request.correlationId };
}

/**
 * Sends one queued email. Its EmailSent is published once, after SES accepted the email and the claim was marked
 * sent: straight away, or — when `collect` is given — by the caller, in one PutEvents call per batch. It is not
 * published again: if publishing fails (or the worker stops first) the event is lost, since a redelivery finds the
 * claim sent and skips it. Consumers key on the SES message id.
 */
export async function sendCampaignEmail(deps: SenderDeps, request: SendRequest, collect?: DomainEvent[]): Promise<SendOutcome> {
  const now = deps.now();
  const checked = precheck(deps, request, now);
  if ('outcome' in checked) return checked.outcome;
  return retry(
    async () => {
      const prepared = planClaim(deps, checked.campaign, request, await readSendState(deps.table, request), now);
      if ('outcome' in prepared) return prepared.outcome;
      const { plan } = prepared;
      const cancelled = await writeClaims(deps.table, prepared.items);
      // Someone else claimed it, the profile changed (consent, another send) or a code collided: look again.
      if (cancelled) throw new ClaimContended(cancelled);
      const delivery = await deliver(deps, plan);
      if (delivery.kind === 'unknown') return { outcome: 'unknown', until: delivery.until };
      const { messageId, locale } = delivery;
      await markSentOrLog(deps.table, request, { claimToken: plan.claimToken, messageId, locale, now });
      const event = sentEvent(plan, messageId, locale);
      if (collect) collect.push(event);
      else await publishEvents(deps.bus, [event]);
      return { outcome: 'sent', messageId };
    },
    // Read and decide again at once: the conflict is over when we learn of it. The last cancellation is thrown as is.
    {
      attempts: MAX_CLAIM_ATTEMPTS,
      backoff: noWait,
      retryOn: isContended,
      giveUp: (error) => (error instanceof ClaimContended ? error.cancellation : new Error(String(error))),
    },
  );
}

/** The claim's transaction was cancelled: read again and decide again. */
class ClaimContended extends Contended {
  constructor(readonly cancellation: Error) {
    super(cancellation.message);
  }
}

/**
 * Sends a batch (≤ MAX_SEND_BATCH; processSendBatch splits bigger SQS batches) with a handful of table requests
 * instead of a handful per email: one BatchGetItem for the profiles, one transaction claiming every send, SES calls
 * side by side, one BatchWriteItem marking them sent. Anything unusual — a duplicate or a second email to one
 * customer in the batch, a claim that already exists (a redelivery: the transaction's condition fails), a
 * transaction that a concurrent sender cancelled — takes the one-at-a-time path above, which re-reads (claims
 * too) and decides again. Results are in the order of `requests`; an Error means that message must be retried.
 */
export async function sendCampaignBatch(deps: SenderDeps, requests: readonly SendRequest[], collect: DomainEvent[]): Promise<(SendOutcome | Error)[]> {
  const now = deps.now();
  const results: (SendOutcome | Error | undefined)[] = requests.map(() => undefined);
  const slow: { index: number; request: SendRequest }[] = [];
  const fast: { index: number; request: SendRequest; campaign: Campaign }[] = [];
  const refs = new Set<string>();
  const customers = new Set<string>();
  requests.forEach((request, index) => {
    const checked = precheck(deps, request, now);
    if ('outcome' in checked) {
      results[index] = checked.outcome;
      return;
    }
    // One transaction may touch an item once: a second email to the same customer (or a duplicate) goes the slow way.
    if (refs.has(sendRef(request)) || customers.has(request.customerId)) slow.push({ index, request });
    else fast.push({ index, request, campaign: checked.campaign });
    refs.add(sendRef(request));
    customers.add(request.customerId);
  });

  const profiles = await readProfiles(
    deps.table,
    fast.map((f) => f.request),
  );
  const plans: { index: number; plan: ClaimPlan; items: TransactItem[]; claimItem: Record<string, unknown> }[] = [];
  for (const { index, request, campaign } of fast) {
    const prepared = planNewClaim(deps, campaign, request, profiles.get(sendRef(request)), now);
    if ('outcome' in prepared) results[index] = prepared.outcome;
    else plans.push({ index, ...prepared });
  }

  const cancelled =
    plans.length > 0
      ? await writeClaims(
          deps.table,
          plans.flatMap((p) => p.items),
        )
      : undefined;
  if (cancelled) slow.push(...plans.map(({ index, plan }) => ({ index, request: plan.request })));
  const claimed = cancelled ? [] : plans;

  const delivered: { index: number; plan: ClaimPlan; claimItem: Record<string, unknown>; messageId: string; locale: Locale }[] = [];
  await Promise.all(
    claimed.map(async ({ index, plan, claimItem }) => {
      try {
        const delivery = await deliver(deps, plan);
        if (delivery.kind === 'unknown') results[index] = { outcome: 'unknown', until: delivery.until };
        else delivered.push({ index, plan, claimItem, messageId: delivery.messageId, locale: delivery.locale });
      } catch (error) {
        results[index] = error instanceof Error ? error : new Error(String(error));
      }
    }),
  );
  try {
    await markAllSent(
      deps.table,
      delivered.map((d) => ({ claimItem: d.claimItem, messageId: d.messageId, locale: d.locale, now })),
    );
  } catch {
    await Promise.all(
      delivered.map((d) => markSentOrLog(deps.table, d.plan.request, { claimToken: d.plan.claimToken, messageId: d.messageId, locale: d.locale, now })),
    );
  }
  for (const d of delivered) {
    results[d.index] = { outcome: 'sent', messageId: d.messageId };
    collect.push(sentEvent(d.plan, d.messageId, d.locale));
  }

  for (const { index, request } of slow) {
    try {
      results[index] = await sendCampaignEmail(deps, request, collect);
    } catch (error) {
      results[index] = error instanceof Error ? error : new Error(String(error));
    }
  }
  return results.map((r) => r ?? new Error('not processed'));
}
