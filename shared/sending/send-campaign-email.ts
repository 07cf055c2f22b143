/**
 * The sender's one job: deliver one queued campaign email at most once.
 *
 *   read profile + claim → policy (consent, suppression, cap, quiet hours, exit condition)
 *   → claim (campaign, occurrence, customer) in a transaction that also counts the send against the cap
 *   → render → SES → mark sent + record on the profile → EmailSent
 *
 * Retries are safe at every step: a `sent` claim is never sent again; a claim whose worker is still inside its
 * lease makes the retry wait; a lease that ran out means the worker died before SES answered, so the email is
 * sent by the retry. The one window that can send twice is a crash *after* SES accepted and *before* the claim
 * was marked sent — milliseconds, documented in the README, and unavoidable because SES has no idempotency key.
 */
import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Campaign } from '#shared/campaigns/campaign-config.ts';
import type { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { decideSend, type SendPolicy } from '#shared/campaigns/send-policy.ts';
import { buildTemplateContext } from '#shared/campaigns/template-variables.ts';
import { templateFolderOf } from '#shared/campaigns/campaign-config.ts';
import type { EmailSender } from '#shared/email/send-email.ts';
import { EmailSent } from '#shared/events/email-sent.ts';
import type { DomainEvent } from '#shared/events/event-definition.ts';
import { publishEvents, type EventBus } from '#shared/events/publish-events.ts';
import { formatMoney } from '#shared/i18n/format.ts';
import { nearestSupportedLocale, type Locale } from '#shared/locales.ts';
import { toMinorUnits } from '#shared/money.ts';
import { profileFromItem } from '#shared/profiles/customer-profile.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { campaignCouponCode } from '#shared/sending/campaign-coupon.ts';
import { sendRef, type SendRequest } from '#shared/sending/send-request.ts';
import { listUnsubscribeHeaders, unsubscribeUrl } from '#shared/sending/unsubscribe-link.ts';

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
  /** How long a claim protects an in-flight send from a concurrent retry. Default 60 s (> the SES call's timeout). */
  leaseSeconds?: number;
}

export type SkipReason = 'no-consent' | 'suppressed' | 'frequency-cap' | 'exited' | 'duplicate' | 'unknown-customer' | 'unknown-campaign' | 'disabled' | 'no-address';

export type SendOutcome =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'skipped'; reason: SkipReason }
  | { outcome: 'deferred'; until: Date; reason: 'not-before' | 'quiet-hours' }
  /** Another worker holds the claim: try again after `until`. */
  | { outcome: 'busy'; until: Date };

interface ClaimItem {
  status: 'claimed' | 'sent';
  claimToken: string;
  leaseUntil: number;
  couponCode: string | undefined;
}

function leaseMs(deps: SenderDeps): number {
  return (deps.leaseSeconds ?? 60) * 1000;
}

const MAX_CLAIM_ATTEMPTS = 4;

/**
 * Sends one queued email. EmailSent is published at least once per send: straight away, or — when `collect` is
 * given — by the caller, in one PutEvents call per batch. (Consumers key on the SES message id.)
 */
export async function sendCampaignEmail(deps: SenderDeps, request: SendRequest, collect?: DomainEvent[]): Promise<SendOutcome> {
  const campaign = deps.campaigns.get(request.campaignId);
  if (!campaign) return { outcome: 'skipped', reason: 'unknown-campaign' };
  if (!campaign.enabled) return { outcome: 'skipped', reason: 'disabled' };
  const now = deps.now();
  if (request.notBefore && Date.parse(request.notBefore) > now.getTime()) return { outcome: 'deferred', until: new Date(request.notBefore), reason: 'not-before' };

  for (let attempt = 1; ; attempt++) {
    const [profileItem, claim] = await Promise.all([readProfileItem(deps.table, request.customerId), readClaim(deps.table, request)]);
    if (claim?.status === 'sent') return { outcome: 'skipped', reason: 'duplicate' };
    if (claim && claim.leaseUntil > now.getTime()) return { outcome: 'busy', until: new Date(claim.leaseUntil) };
    if (!profileItem) return { outcome: 'skipped', reason: 'unknown-customer' };

    const profile = profileFromItem(profileItem);
    if (campaign.kind === 'triggered' && campaign.exitIf.includes('purchased-since-trigger') && profile.lastPurchaseAt !== undefined && profile.lastPurchaseAt > request.triggeredAt) {
      return { outcome: 'skipped', reason: 'exited' };
    }
    const recentSends = stringList(profileItem.recentMarketingSends);
    // A taken-over claim was already counted against the cap when it was first made.
    const decision = decideSend(
      { marketingConsent: profileItem.marketingConsent === 'granted', suppressed: suppressionOf(profileItem.suppressedReason), recentSends: claim ? [] : recentSends, timeZone: undefined },
      deps.policy,
      now,
    );
    if (decision.action === 'skip') return { outcome: 'skipped', reason: decision.reason };
    if (decision.action === 'defer') return { outcome: 'deferred', until: decision.until, reason: decision.reason };
    const address = typeof profileItem.confirmedEmail === 'string' ? profileItem.confirmedEmail : undefined;
    if (!address) return { outcome: 'skipped', reason: 'no-address' };

    const claimToken = randomUUID();
    const leaseUntil = now.getTime() + leaseMs(deps);
    const couponCode = claim?.couponCode ?? (campaign.coupon ? campaignCouponCode(campaign.coupon.prefix, deps.signingKey, sendRef(request)) : undefined);
    const version = typeof profileItem.sendVersion === 'number' ? profileItem.sendVersion : 0;
    try {
      await deps.table.doc.send(
        new TransactWriteCommand(
          claim
            ? takeOverClaim(deps.table, request, claim.claimToken, claimToken, leaseUntil, now)
            : newClaim(deps, campaign, request, { claimToken, leaseUntil, couponCode, version, recentSends, now }),
        ),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || attempt >= MAX_CLAIM_ATTEMPTS) throw error;
      // Someone else claimed it, the profile changed (consent, another send) or a code collided: look again.
      continue;
    }

    const locale = deps.templates.localeFor(templateFolderOf(campaign), nearestSupportedLocale(profile.locale));
    const url = unsubscribeUrl(deps.publicBaseUrl, deps.signingKey, request.customerId, campaign.id, now);
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
    );

    let messageId: string;
    try {
      ({ messageId } = await deps.email.send({ to: address, subject: rendered.subject, html: rendered.html, text: rendered.text, headers: listUnsubscribeHeaders(url), tags: { campaign: campaign.id } }));
    } catch (error) {
      // SES refused or timed out: give the claim back at once so the retry does not wait out the lease.
      await releaseClaim(deps.table, request, claimToken).catch(() => undefined);
      throw error;
    }
    await markSent(deps.table, request, { claimToken, messageId, locale, now });
    const event = EmailSent.create({ customerId: request.customerId, campaignId: request.campaignId, occurrenceId: request.occurrenceId, messageId, locale, withCoupon: couponCode !== undefined, sentAt: now.toISOString() });
    if (collect) collect.push(event);
    else await publishEvents(deps.bus, [event]);
    return { outcome: 'sent', messageId };
  }
}

async function readProfileItem(table: Table, customerId: string): Promise<Record<string, unknown> | undefined> {
  const result = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerId), ConsistentRead: true }));
  return result.Item;
}

async function readClaim(table: Table, request: SendRequest): Promise<ClaimItem | undefined> {
  const result = await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId), ConsistentRead: true }));
  const item = result.Item;
  if (!item) return undefined;
  return {
    status: item.status === 'sent' ? 'sent' : 'claimed',
    claimToken: typeof item.claimToken === 'string' ? item.claimToken : '',
    leaseUntil: typeof item.leaseUntil === 'number' ? item.leaseUntil : 0,
    couponCode: typeof item.couponCode === 'string' ? item.couponCode : undefined,
  };
}

function newClaim(
  deps: SenderDeps,
  campaign: Campaign,
  request: SendRequest,
  claim: { claimToken: string; leaseUntil: number; couponCode: string | undefined; version: number; recentSends: string[]; now: Date },
): TransactWriteCommandInput {
  const { table } = deps;
  const cutoff = claim.now.getTime() - deps.policy.frequencyCap.perDays * 86_400_000;
  const sends = [...claim.recentSends.filter((iso) => Date.parse(iso) > cutoff), claim.now.toISOString()];
  const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
    {
      Put: {
        TableName: table.name,
        Item: {
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
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    {
      // Counting the send in the same transaction keeps the frequency cap exact when campaigns race for one customer,
      // and re-checks consent and suppression at the instant of the claim.
      Update: {
        TableName: table.name,
        Key: keys.profile(request.customerId),
        // The profile's record of the send (count, last campaign) is written with the claim: one write instead of two.
        UpdateExpression: 'SET recentMarketingSends = :sends, sendVersion = :next, lastEmailSentAt = :now, lastEmailCampaign = :campaign ADD emailsSent :one',
        ConditionExpression: `${claim.version === 0 ? 'attribute_not_exists(sendVersion)' : 'sendVersion = :version'} AND marketingConsent = :granted AND attribute_not_exists(suppressedReason)`,
        ExpressionAttributeValues: {
          ':sends': sends,
          ':next': claim.version + 1,
          ':granted': 'granted',
          ':now': claim.now.toISOString(),
          ':campaign': request.campaignId,
          ':one': 1,
          ...(claim.version === 0 ? {} : { ':version': claim.version }),
        },
      },
    },
  ];
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
  return { TransactItems: items };
}

function takeOverClaim(table: Table, request: SendRequest, previousToken: string, claimToken: string, leaseUntil: number, now: Date): TransactWriteCommandInput {
  return {
    TransactItems: [
      {
        Update: {
          TableName: table.name,
          Key: keys.sendClaim(request.campaignId, request.occurrenceId, request.customerId),
          UpdateExpression: 'SET claimToken = :token, leaseUntil = :lease, reclaimedAt = :now ADD attempts :one',
          ConditionExpression: '#status = :claimed AND claimToken = :previous AND leaseUntil <= :nowMs',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':token': claimToken, ':lease': leaseUntil, ':now': now.toISOString(), ':one': 1, ':claimed': 'claimed', ':previous': previousToken, ':nowMs': now.getTime() },
        },
      },
    ],
  };
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

function discountText(discount: { percent: number } | { amount: number }, currency: string, locale: Locale): string {
  if ('percent' in discount) return new Intl.NumberFormat(locale, { style: 'percent' }).format(discount.percent / 100);
  return formatMoney(toMinorUnits(discount.amount, currency) ?? 0, currency, locale);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function suppressionOf(value: unknown): 'bounce' | 'complaint' | undefined {
  return value === 'bounce' || value === 'complaint' ? value : undefined;
}
