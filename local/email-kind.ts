/**
 * What an email in the local inbox is, for the terminal's one line per email: the campaign it belongs to (read
 * from its signed List-Unsubscribe link), an opt-in (it carries a confirmation link), or another service email
 * (an incentive, a case follow-up) — and to which customer, by id. Never the address or the subject.
 */
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { parseUnsubscribeSubject, verifyUnsubscribeToken } from '#shared/sending/unsubscribe-link.ts';
import type { StoredEmail } from '#local/ses-emulator.ts';

export interface EmailSummary {
  kind: string;
  customerId: string;
  messageId: string;
}

/** Pure: the same email, key and time always give the same summary. */
export function summarizeEmail(email: StoredEmail, signingKey: string, now: Date): EmailSummary {
  const to = email.destination.to[0] ?? '';
  const unsubscribe = email.headers?.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value.replace(/^<|>$/g, '');
  let campaign: string | undefined;
  if (unsubscribe) {
    const token = URL.canParse(unsubscribe) ? new URL(unsubscribe).searchParams.get('token') : null;
    const check = token ? verifyUnsubscribeToken(token, signingKey, now) : undefined;
    campaign = check?.ok ? parseUnsubscribeSubject(check.claims.sub)?.campaignId : undefined;
  }
  const kind = campaign ?? (/\/confirm\?token=/.test(email.body.text ?? '') ? 'opt-in' : 'service');
  return { kind, customerId: customerIdForEmail(to, signingKey), messageId: email.messageId };
}
