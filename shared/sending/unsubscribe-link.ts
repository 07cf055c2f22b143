import { signToken, verifyToken, type TokenCheck } from '#shared/tokens/signed-token.ts';

export const UNSUBSCRIBE_TOKEN_PURPOSE = 'unsubscribe';
/** Unsubscribe links must keep working long after the email (mail sits in inboxes for years): five years. */
const UNSUBSCRIBE_TTL_SECONDS = 5 * 365 * 86_400;

/**
 * What a link stops: `marketing` (a marketing email's link and one-click header: withdraws marketing consent) or
 * `all` (a service email's footer link: no email of any kind any more, service messages included).
 */
export type UnsubscribeScope = 'marketing' | 'all';

export interface UnsubscribeSubject {
  customerId: string;
  campaignId: string;
  scope: UnsubscribeScope;
  /** The occurrence the email belonged to (its report counts the unsubscribe); links made before it was carried have none. */
  occurrenceId?: string;
}

/**
 * The subject of an unsubscribe token: `<customer>|<campaign>|<scope>|<occurrence>`. Older links carry
 * `<customer>|<campaign>` (marketing) or `<customer>|<campaign>|all` and stay valid for their five years.
 */
export function unsubscribeSubject(subject: UnsubscribeSubject): string {
  const { customerId, campaignId, scope, occurrenceId } = subject;
  if (occurrenceId !== undefined) return `${customerId}|${campaignId}|${scope}|${occurrenceId}`;
  return scope === 'all' ? `${customerId}|${campaignId}|all` : `${customerId}|${campaignId}`;
}

export function parseUnsubscribeSubject(sub: string): UnsubscribeSubject | undefined {
  const [customerId, campaignId, scope, ...rest] = sub.split('|');
  if (!customerId || !campaignId) return undefined;
  if (scope === undefined) return { customerId, campaignId, scope: 'marketing' };
  if (scope !== 'all' && scope !== 'marketing') return undefined;
  if (rest.length === 0) return scope === 'all' ? { customerId, campaignId, scope } : undefined;
  // An occurrence id is the last part, whatever it holds (an EventBridge event id, a newsletter's time, `once`).
  const occurrenceId = rest.join('|');
  return occurrenceId === '' ? undefined : { customerId, campaignId, scope, occurrenceId };
}

export function unsubscribeUrl(publicBaseUrl: string, key: string, subject: UnsubscribeSubject, now: Date): string {
  const url = new URL('/unsubscribe', publicBaseUrl);
  const exp = Math.floor(now.getTime() / 1000) + UNSUBSCRIBE_TTL_SECONDS;
  url.searchParams.set('token', signToken({ purpose: UNSUBSCRIBE_TOKEN_PURPOSE, sub: unsubscribeSubject(subject), exp }, key));
  return url.toString();
}

export function verifyUnsubscribeToken(token: string, key: string, now: Date): TokenCheck {
  return verifyToken(token, UNSUBSCRIBE_TOKEN_PURPOSE, key, now);
}

/**
 * RFC 8058 one-click unsubscribe: the mailbox provider POSTs `List-Unsubscribe=One-Click` to the HTTPS URL.
 * (RFC 2369 allows a mailto: too; an HTTPS-only header is what Gmail and Yahoo require of bulk senders.)
 */
export function listUnsubscribeHeaders(url: string): { name: string; value: string }[] {
  return [
    { name: 'List-Unsubscribe', value: `<${url}>` },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
}
