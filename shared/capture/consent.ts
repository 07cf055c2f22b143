import { createHash } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import type { Locale } from '#shared/locales.ts';
import { normalizeEmail } from '#shared/purchases/customer-id.ts';
import type { Catalogs } from '#shared/i18n/catalogs.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';

/** The catalog messages a customer reads before agreeing; their hash is the wording version recorded with consent. */
export const CONSENT_MESSAGE_KEYS = [
  'form.consentLegend',
  'form.termsLabel',
  'form.termsHint',
  'form.marketingLabel',
  'form.marketingHint',
  'email.optIn.body',
  'email.optIn.button',
  'page.confirm.body',
  'page.confirm.button',
] as const;

/** A short, stable id of the consent wording in one language: changes whenever any of those messages changes. */
export function consentWordingVersion(catalogs: Catalogs, locale: Locale): string {
  const catalog = catalogs.get(locale);
  const wording = CONSENT_MESSAGE_KEYS.map((key) => [key, catalog?.get(key) ?? '']);
  return `${locale}-${createHash('sha256').update(JSON.stringify(wording)).digest('hex').slice(0, 12)}`;
}

/**
 * The address a consent or an incentive belongs to, as stored on the profile and the incentive: a hash of the
 * normalized address, so it can be compared with the confirmed address without keeping another copy of it.
 */
export function consentAddressOf(email: string): string {
  return `a_${createHash('sha256').update(normalizeEmail(email)).digest('hex').slice(0, 32)}`;
}

export interface ConsentRecord {
  customerId: string;
  orderId: string;
  /** The address confirmed by the double opt-in. */
  email: string;
  marketingEmail: boolean;
  incentiveTerms: boolean;
  wordingVersion: string;
  locale: Locale;
  /** When the address was confirmed (the same for every click on the link, so the ledger entry is written once). */
  at: string;
  requestedAt: string;
  ipHash: string;
}

/**
 * Appends the consent to the customer's ledger (CUST#<id> / CONSENT#<at>#form#<orderId>): one item per consent
 * event, never updated or deleted, so it proves what was agreed, when, in which wording and language.
 * Returns false when this event is already recorded (a repeat click).
 */
export async function appendConsentEntry(table: Table, consent: ConsentRecord): Promise<boolean> {
  return writeIfConditionHolds(() =>
    table.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          ...keys.consentEntry(consent.customerId, consent.at, `form#${consent.orderId}`),
          entityType: 'CONSENT',
          kind: 'given',
          channel: 'email',
          source: 'form',
          ...consent,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ),
  );
}

/**
 * The current consent state on the profile. The confirmed address moves only to a confirmation requested no earlier
 * than the one that set it, so an older link (clicked again, or late) never moves it back. Marketing consent is only
 * ever *granted* here, for the address just confirmed (`marketingConsentAddress`; the sender requires it to be the
 * confirmed address): an unticked box is not a withdrawal (that is an unsubscribe, with its own ledger entry), and
 * a newer state written meanwhile (e.g. an unsubscribe) is never overwritten by an older confirmation.
 */
export async function applyConsentToProfile(table: Table, consent: ConsentRecord): Promise<void> {
  const key = keys.profile(consent.customerId);
  const always = 'incentiveTermsAcceptedAt = if_not_exists(incentiveTermsAcceptedAt, :at), marketingConsent = if_not_exists(marketingConsent, :notGiven)';
  const values = { ':at': consent.at, ':notGiven': 'not-given' };
  const moved = await conditionalUpdate(table, {
    TableName: table.name,
    Key: key,
    UpdateExpression: `SET confirmedEmail = :email, emailConfirmedAt = :at, confirmedEmailRequestedAt = :requestedAt, ${always}`,
    ConditionExpression: 'attribute_not_exists(confirmedEmailRequestedAt) OR confirmedEmailRequestedAt <= :requestedAt',
    ExpressionAttributeValues: { ...values, ':email': consent.email, ':requestedAt': consent.requestedAt },
  });
  if (!moved)
    await table.doc.send(new UpdateCommand({ TableName: table.name, Key: key, UpdateExpression: `SET ${always}`, ExpressionAttributeValues: values }));
  if (!consent.marketingEmail) return;
  await conditionalUpdate(table, {
    TableName: table.name,
    Key: key,
    UpdateExpression:
      'SET marketingConsent = :granted, marketingConsentAt = :at, marketingConsentSource = :form, marketingConsentWording = :wording, marketingConsentAddress = :address',
    ConditionExpression: '(attribute_not_exists(marketingConsentAt) OR marketingConsentAt <= :at) AND confirmedEmail = :email',
    ExpressionAttributeValues: {
      ':granted': 'granted',
      ':at': consent.at,
      ':form': 'form',
      ':wording': consent.wordingVersion,
      ':address': consentAddressOf(consent.email),
      ':email': consent.email,
    },
  });
}

/** An update that may lose to a newer state: false when its condition did not hold. */
async function conditionalUpdate(table: Table, input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> {
  return writeIfConditionHolds(() => table.doc.send(new UpdateCommand(input)));
}
