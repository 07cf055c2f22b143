import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { openCaseForFormAnswer } from '#shared/cases/form-case.ts';
import { FormSubmitted } from '#shared/events/form-submitted.ts';
import { publishEvents } from '#shared/events/publish-events.ts';
import { translator } from '#shared/i18n/catalogs.ts';
import type { Locale } from '#shared/locales.ts';
import { logger } from '#shared/logger.ts';
import { normalizeEmail } from '#shared/purchases/customer-id.ts';
import { Contended, isContended, noWait, retry } from '#shared/runtime/retry.ts';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import { keys } from '#shared/table/keys.ts';
import type { CaptureDeps } from '#shared/capture/capture-deps.ts';
import { chooseIncentive } from '#shared/capture/choose-incentive.ts';
import { consentWordingVersion } from '#shared/capture/consent.ts';
import { describeOffer, offerOfRule } from '#shared/capture/describe-incentive.ts';
import { optInEmail } from '#shared/capture/emails.ts';
import { loadSubmission, type OrderView } from '#shared/capture/order-context.ts';
import { writeAnswersToProfile } from '#shared/capture/profile-answers.ts';
import { AddressLockedError, OptInLimitError } from '#shared/capture/capture-errors.ts';
import { enforceRateLimit, hashRecipient } from '#shared/capture/rate-limit.ts';
import { runOnce } from '#shared/capture/run-once.ts';
import { confirmUrlFor } from '#shared/capture/signed-links.ts';
import type { Submission, SubmissionIssue } from '#shared/capture/submission-schema.ts';
import { answersOf, type SubmissionRecord } from '#shared/capture/submission-record.ts';
import type { CompleteSubmission } from '#shared/capture/kept-fields.ts';

export interface SubmitResult {
  /** "created" for the first submission of the order, "updated" for a repeat. */
  outcome: 'created' | 'updated';
  orderId: string;
  customerId: string;
  /** Whether the address in this submission is already confirmed. */
  state: 'awaiting-confirmation' | 'confirmed';
  /** A double opt-in email went out (or is going out) because of this submission. */
  optInRequested: boolean;
}

const MAX_ATTEMPTS = 8;
const SEND_LEASE_SECONDS = 120;

/** Checks a valid submission against its order and the shop's lists: products must be the order's, interests offered ones. Pure. */
export function issuesAgainstOrder(submission: Submission, order: OrderView, interests: readonly string[]): SubmissionIssue[] {
  const issues: SubmissionIssue[] = [];
  const skus = new Set(order.lines.map((line) => line.sku));
  if (submission.products.some((sku) => !skus.has(sku))) issues.push({ field: 'products', key: 'error.unknownProduct' });
  if (submission.interests.some((category) => !interests.includes(category))) issues.push({ field: 'interests', key: 'error.choice' });
  return issues;
}

/**
 * Records a validated submission for an order, idempotently: the first creates the SUBMISSION item (201), a
 * repeat updates the answers (200). A double opt-in is started only on the first submission or when the address
 * changed; the incentive is never touched here (it is issued on confirmation). Writes the answers to the profile,
 * publishes FormSubmitted, and sends the opt-in email once.
 */
export async function recordSubmission(
  deps: CaptureDeps,
  order: OrderView,
  submission: CompleteSubmission,
  context: { locale: Locale; ipHash: string },
): Promise<SubmitResult> {
  const now = deps.now();
  const at = now.toISOString();
  const email = normalizeEmail(submission.email);
  const wordingVersion = consentWordingVersion(deps.settings.catalogs, context.locale);
  const answers = answersOf(submission);
  const optInLocale = answers.preferredLanguage ?? context.locale;

  const caps = deps.settings.capture.confirm;
  let recipientCounted = false;
  const written = await retry<{ outcome: 'created' | 'updated'; record: SubmissionRecord; optInRequested: boolean }>(
    async () => {
      const existing = await loadSubmission(deps.table, order.orderId, true);
      const optInRequested = existing === undefined || normalizeEmail(existing.optInEmail) !== email;
      if (optInRequested && existing?.optInConfirmedAt)
        throw new AddressLockedError("This order's address is already confirmed; it cannot be changed through the form link");
      const optInCount = optInRequested ? (existing ? (existing.optInCount ?? 1) : 0) + 1 : existing?.optInCount;
      if (optInCount !== undefined && optInCount > caps.maxOptInsPerOrder)
        throw new OptInLimitError(`This order has had ${caps.maxOptInsPerOrder} confirmation emails; no more can be sent`);
      if (optInRequested && !recipientCounted) {
        // Counted once per submission, before the write: a contended retry must not count the same email twice.
        recipientCounted = true;
        await enforceRateLimit(deps.table, {
          scope: 'optin-to',
          subject: hashRecipient(email, deps.signingKey),
          limit: caps.maxOptInsPerRecipientPerDay,
          windowSeconds: 86_400,
          now,
        });
      }
      const record: SubmissionRecord = {
        orderId: order.orderId,
        customerId: order.customerId,
        firstSubmittedAt: existing?.firstSubmittedAt ?? at,
        submittedAt: at,
        submissionCount: (existing?.submissionCount ?? 0) + 1,
        locale: context.locale,
        email,
        marketingConsent: submission.marketingConsent,
        wordingVersion,
        answers,
        ...(optInCount === undefined ? {} : { optInCount }),
        ...(optInRequested || existing === undefined
          ? {
              optInEmail: email,
              // The expiry is the opt-in's version: strictly increasing, so a link sent to an earlier address is told apart.
              optInTokenExp: Math.max(
                Math.floor(now.getTime() / 1000) + deps.settings.capture.confirm.tokenTtlDays * 86_400,
                (existing?.optInTokenExp ?? 0) + 1,
              ),
              optInRequestedAt: at,
              optInLocale,
              optInMarketingConsent: submission.marketingConsent,
              optInWordingVersion: wordingVersion,
            }
          : {
              optInEmail: existing.optInEmail,
              optInTokenExp: existing.optInTokenExp,
              optInRequestedAt: existing.optInRequestedAt,
              // An unconfirmed opt-in confirms what the customer agreed to last.
              optInLocale: existing.optInConfirmedAt ? existing.optInLocale : optInLocale,
              optInMarketingConsent: existing.optInConfirmedAt ? existing.optInMarketingConsent : submission.marketingConsent,
              optInWordingVersion: existing.optInConfirmedAt ? existing.optInWordingVersion : wordingVersion,
              optInSentAt: existing.optInSentAt,
              optInConfirmedAt: existing.optInConfirmedAt,
            }),
      };
      // Another submission of this order was written since it was read: read again and decide again.
      if (!(await writeSubmission(deps, record, existing, optInRequested, context.ipHash))) throw new Contended();
      return { outcome: existing ? 'updated' : 'created', record, optInRequested };
    },
    {
      attempts: MAX_ATTEMPTS,
      backoff: noWait,
      retryOn: isContended,
      giveUp: (_, attempts) => new Error(`Submission for order ${order.orderId} still contended after ${attempts} attempts`),
    },
  );

  const { referredBy } = await writeAnswersToProfile(deps.table, deps.signingKey, { customerId: order.customerId, orderId: order.orderId, answers, at });
  // A very unhappy answer opens a follow-up case for the shop's staff (once per order).
  if (answers.satisfaction !== undefined)
    await openCaseForFormAnswer(deps, { customerId: order.customerId, orderId: order.orderId, satisfaction: answers.satisfaction, at });
  await publishEvents(
    deps.bus,
    [
      FormSubmitted.create({
        orderId: order.orderId,
        customerId: order.customerId,
        submittedAt: at,
        firstSubmission: written.outcome === 'created',
        locale: context.locale,
        satisfaction: answers.satisfaction,
        interests: answers.interests,
        referredBy,
        optInRequested: written.optInRequested,
        marketingConsentRequested: submission.marketingConsent,
      }),
    ],
    now,
  );
  const { record } = written;
  if (!record.optInConfirmedAt) await sendOptInOnce(deps, order, record);
  logger.info('form submitted', { orderId: order.orderId, customerId: order.customerId, outcome: written.outcome, optInRequested: written.optInRequested });
  return {
    outcome: written.outcome,
    orderId: order.orderId,
    customerId: order.customerId,
    state: record.optInConfirmedAt ? 'confirmed' : 'awaiting-confirmation',
    optInRequested: written.optInRequested,
  };
}

/** Attributes managed by the opt-in's own steps (sending, confirming): a new opt-in clears them, an update leaves them alone. */
const OPT_IN_STATE = ['optInSentAt', 'optInSendLease', 'optInConfirmedAt', 'optInConsentAt', 'optInConsentLease'] as const;

/**
 * Creates the item (first submission) or updates it only if the opt-in is still the one this writer read, so two
 * racing submissions cannot both start an opt-in or miss a confirmation. False means "read again and retry".
 */
async function writeSubmission(
  deps: CaptureDeps,
  record: SubmissionRecord,
  existing: SubmissionRecord | undefined,
  newOptIn: boolean,
  ipHash: string,
): Promise<boolean> {
  const state = new Set<string>(OPT_IN_STATE);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries({ ...record, entityType: 'SUBMISSION', ipHash }).forEach(([attribute, value], index) => {
    if (state.has(attribute) || value === undefined) return;
    names[`#a${index}`] = attribute;
    values[`:a${index}`] = value;
    sets.push(`#a${index} = :a${index}`);
  });
  if (existing && newOptIn) {
    OPT_IN_STATE.forEach((attribute, index) => {
      names[`#s${index}`] = attribute;
      removes.push(`#s${index}`);
    });
  }
  const condition = existing
    ? `optInTokenExp = :seenExp AND submissionCount = :seenCount${existing.optInConfirmedAt ? '' : ' AND attribute_not_exists(optInConfirmedAt)'}`
    : 'attribute_not_exists(PK)';
  return writeIfConditionHolds(() =>
    deps.table.doc.send(
      new UpdateCommand({
        TableName: deps.table.name,
        Key: keys.submission(record.orderId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: existing ? { ...values, ':seenExp': existing.optInTokenExp, ':seenCount': existing.submissionCount } : values,
      }),
    ),
  );
}

/** Sends the opt-in email for the current opt-in exactly once (lease + done marker, guarded by the opt-in's version). */
async function sendOptInOnce(deps: CaptureDeps, order: OrderView, record: SubmissionRecord): Promise<void> {
  const now = deps.now();
  await runOnce(
    {
      table: deps.table,
      key: keys.submission(record.orderId),
      doneAttribute: 'optInSentAt',
      leaseAttribute: 'optInSendLease',
      leaseSeconds: SEND_LEASE_SECONDS,
      now,
      guard: { expression: 'optInTokenExp = :exp AND attribute_not_exists(optInConfirmedAt)', values: { ':exp': record.optInTokenExp } },
    },
    async () => {
      const t = translator(deps.settings.catalogs, record.optInLocale);
      const offer = describeOffer(t, offerOfRule(chooseIncentive(deps.settings.incentives, order.categoryMinor), order));
      const confirmUrl = confirmUrlFor(deps.publicBaseUrl, deps.signingKey, record.orderId, record.optInTokenExp);
      await deps.email.send(
        optInEmail(t, {
          to: record.optInEmail,
          customerId: record.customerId,
          shopName: deps.settings.shop.shop.name,
          confirmUrl,
          offer,
          expiresAt: new Date(record.optInTokenExp * 1000).toISOString(),
        }),
      );
      logger.info('opt-in email sent', { orderId: record.orderId, customerId: record.customerId });
    },
  );
}
