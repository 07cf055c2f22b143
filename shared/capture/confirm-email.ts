import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { outputIfConditionHolds } from '#shared/table/conditional-write.ts';
import { ConsentGiven } from '#shared/events/consent-given.ts';
import { IncentiveIssued } from '#shared/events/incentive-issued.ts';
import { publishEvents } from '#shared/events/publish-events.ts';
import { NotFoundError } from '#shared/errors.ts';
import { translator } from '#shared/i18n/catalogs.ts';
import type { Locale } from '#shared/locales.ts';
import { logger } from '#shared/logger.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { keys } from '#shared/table/keys.ts';
import type { CaptureDeps } from '#shared/capture/capture-deps.ts';
import { LinkSupersededError, PoolExhaustedError } from '#shared/capture/capture-errors.ts';
import { appendConsentEntry, applyConsentToProfile, consentAddressOf, type ConsentRecord } from '#shared/capture/consent.ts';
import { incentiveEmail } from '#shared/capture/emails.ts';
import { issueIncentiveOnce, type IssuedIncentive } from '#shared/capture/issue-incentive.ts';
import { loadFormOrder, loadSubmission, type OrderView } from '#shared/capture/order-context.ts';
import { creditReferral } from '#shared/profiles/referral-count.ts';
import { ReferralCredited } from '#shared/events/referral-credited.ts';
import { runOnce } from '#shared/capture/run-once.ts';
import { CONFIRM_TOKEN_PURPOSE, verifyLink } from '#shared/capture/signed-links.ts';
import { SubmissionRecordSchema, type SubmissionRecord } from '#shared/capture/submission-record.ts';

export interface ConfirmResult {
  orderId: string;
  customerId: string;
  /** The language to answer in: the customer's preferred one, else the form's. */
  locale: Locale;
  order: OrderView;
  /** The incentive (the same on every click), or undefined while it cannot be issued (pool empty). */
  incentive: IssuedIncentive | undefined;
  /** The order's incentive was issued to another address than this confirmation's: its code is not shown or sent. */
  incentiveWithheld: boolean;
  /** This click recorded the consent (false for a repeat click). */
  consentRecorded: boolean;
}

const NOTIFY_LEASE_SECONDS = 120;

/**
 * GET /confirm: checks the link (authentic, unexpired, still the order's current opt-in) and returns the language
 * for the page with the Confirm button. Reads only: a link scanner's GET must not give consent or issue anything.
 */
export async function confirmTarget(
  deps: Pick<CaptureDeps, 'table' | 'signingKey' | 'now'>,
  token: string | undefined,
): Promise<{ orderId: string; locale: Locale }> {
  const claims = verifyLink(token, CONFIRM_TOKEN_PURPOSE, deps.signingKey, deps.now());
  const [submission] = await Promise.all([loadSubmission(deps.table, claims.sub, true), loadFormOrder(deps.table, claims.sub)]);
  if (!submission) throw new NotFoundError('No submission matches this link');
  if (submission.optInTokenExp !== claims.exp) throw new LinkSupersededError('A newer confirmation link was sent for this order', claims.sub);
  return { orderId: claims.sub, locale: submission.answers.preferredLanguage ?? submission.locale };
}

/**
 * POST /confirm (the page's button): the customer proved the address is theirs. Records the consent once in the append-only ledger and
 * on the profile, issues the order's incentive exactly once, emails it once, and publishes ConsentGiven and
 * IncentiveIssued once — however many times, and however concurrently, the link is clicked.
 */
export async function confirmEmail(deps: CaptureDeps, token: string | undefined, context: { ipHash: string }): Promise<ConfirmResult> {
  const now = deps.now();
  const claims = verifyLink(token, CONFIRM_TOKEN_PURPOSE, deps.signingKey, now);
  const orderId = claims.sub;
  const [submission, order] = await Promise.all([loadSubmission(deps.table, orderId, true), loadFormOrder(deps.table, orderId)]);
  if (!submission) throw new NotFoundError('No submission matches this link');
  if (submission.optInTokenExp !== claims.exp) throw new LinkSupersededError('A newer confirmation link was sent for this order', orderId);

  const confirmed = await markConfirmed(deps, submission, now);
  const consent: ConsentRecord = {
    customerId: order.customerId,
    orderId,
    email: confirmed.optInEmail,
    marketingEmail: confirmed.optInMarketingConsent,
    incentiveTerms: true,
    wordingVersion: confirmed.optInWordingVersion,
    locale: confirmed.optInLocale,
    at: confirmed.optInConfirmedAt ?? now.toISOString(),
    requestedAt: confirmed.optInRequestedAt,
    ipHash: context.ipHash,
  };
  const consentRecorded = await appendConsentEntry(deps.table, consent);
  await applyConsentToProfile(deps.table, consent);
  await runOnce(
    {
      table: deps.table,
      key: keys.submission(orderId),
      doneAttribute: 'optInConsentAt',
      leaseAttribute: 'optInConsentLease',
      leaseSeconds: NOTIFY_LEASE_SECONDS,
      now,
      guard: { expression: 'optInTokenExp = :exp', values: { ':exp': confirmed.optInTokenExp } },
    },
    () =>
      publishEvents(
        deps.bus,
        [
          ConsentGiven.create({
            customerId: consent.customerId,
            orderId,
            channel: 'email',
            marketingEmail: consent.marketingEmail,
            incentiveTerms: consent.incentiveTerms,
            wordingVersion: consent.wordingVersion,
            locale: consent.locale,
            source: 'form',
            consentedAt: consent.at,
          }),
        ],
        now,
      ),
  );
  if (confirmed.answers.referrerEmail !== undefined) {
    const referrerId = customerIdForEmail(confirmed.answers.referrerEmail, deps.signingKey);
    await creditReferral(deps.table, { referrerId, referredId: order.customerId, orderId, at: consent.at });
    if (referrerId !== order.customerId) {
      // Once per referral edge, even under concurrent clicks and retries: the referral thank-you campaign starts here.
      await runOnce(
        {
          table: deps.table,
          key: keys.referral(referrerId, order.customerId),
          doneAttribute: 'announcedAt',
          leaseAttribute: 'announceLease',
          leaseSeconds: NOTIFY_LEASE_SECONDS,
          now,
        },
        () =>
          publishEvents(
            deps.bus,
            [ReferralCredited.create({ customerId: referrerId, referredCustomerId: order.customerId, orderId, creditedAt: consent.at })],
            now,
          ),
      );
    }
  }

  const locale = confirmed.answers.preferredLanguage ?? confirmed.locale;
  let incentive: IssuedIncentive | undefined;
  try {
    ({ incentive } = await issueIncentiveOnce(
      { table: deps.table, rules: deps.settings.incentives, now: deps.now },
      order,
      consentAddressOf(confirmed.optInEmail),
    ));
  } catch (error) {
    if (!(error instanceof PoolExhaustedError)) throw error;
    // Consent is recorded; the incentive follows on a later click once the shop loads more codes. Alarm on this log.
    logger.error('incentive pool exhausted', { orderId, customerId: order.customerId, pool: error.pool });
  }
  // An incentive belongs to the address it was issued to (items from before this was recorded carry none).
  const incentiveWithheld = incentive?.issuedTo !== undefined && incentive.issuedTo !== consentAddressOf(confirmed.optInEmail);
  if (incentiveWithheld) {
    logger.warn('incentive withheld from another address', { orderId, customerId: order.customerId });
    incentive = undefined;
  }
  if (incentive) await notifyIncentiveOnce(deps, order, confirmed, incentive, locale);
  if (consentRecorded) logger.info('email confirmed', { orderId, customerId: order.customerId, marketingEmail: consent.marketingEmail });
  return { orderId, customerId: order.customerId, locale, order, incentive, incentiveWithheld, consentRecorded };
}

/** Sets the confirmation time once (the first click's), returning the submission as it now stands. */
async function markConfirmed(deps: CaptureDeps, submission: SubmissionRecord, now: Date): Promise<SubmissionRecord> {
  const result = await outputIfConditionHolds(() =>
    deps.table.doc.send(
      new UpdateCommand({
        TableName: deps.table.name,
        Key: keys.submission(submission.orderId),
        UpdateExpression: 'SET optInConfirmedAt = if_not_exists(optInConfirmedAt, :now)',
        ConditionExpression: 'optInTokenExp = :exp',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':exp': submission.optInTokenExp },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  if (result === undefined) throw new LinkSupersededError('A newer confirmation link was sent for this order', submission.orderId);
  return SubmissionRecordSchema.parse(result.Attributes);
}

/** Publishes IncentiveIssued and emails the incentive, once per incentive. */
async function notifyIncentiveOnce(
  deps: CaptureDeps,
  order: OrderView,
  submission: SubmissionRecord,
  incentive: IssuedIncentive,
  locale: Locale,
): Promise<void> {
  const now = deps.now();
  await runOnce(
    {
      table: deps.table,
      key: keys.incentive(order.orderId),
      doneAttribute: 'notifiedAt',
      leaseAttribute: 'notifyLease',
      leaseSeconds: NOTIFY_LEASE_SECONDS,
      now,
    },
    async () => {
      await publishEvents(
        deps.bus,
        [
          IncentiveIssued.create({
            orderId: incentive.orderId,
            customerId: incentive.customerId,
            type: incentive.type,
            rule: incentive.rule,
            codeSource: incentive.codeSource,
            pool: incentive.pool,
            percent: incentive.percent,
            valueMinor: incentive.amountMinor,
            currency: incentive.currency,
            months: incentive.months,
            validUntil: incentive.validUntil,
            issuedAt: incentive.issuedAt,
          }),
        ],
        now,
      );
      const t = translator(deps.settings.catalogs, locale);
      await deps.email.send(
        incentiveEmail(t, {
          to: submission.optInEmail,
          customerId: order.customerId,
          name: submission.answers.name,
          shopName: deps.settings.shop.shop.name,
          incentive,
          order,
          marketingEmail: submission.optInMarketingConsent,
        }),
      );
      logger.info('incentive issued', { orderId: order.orderId, customerId: order.customerId, type: incentive.type });
    },
  );
}
