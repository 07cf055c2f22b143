import { signToken, verifyToken, type TokenCheck } from '#shared/tokens/signed-token.ts';

export const UNSUBSCRIBE_TOKEN_PURPOSE = 'unsubscribe';
/** Unsubscribe links must keep working long after the email (mail sits in inboxes for years): five years. */
const UNSUBSCRIBE_TTL_SECONDS = 5 * 365 * 86_400;

/**
 * What a link stops: `marketing` (a marketing email's link and one-click header: withdraws marketing consent) or
 * `all` (a service email's footer link: no email of any kind any more, service messages included).
 */
export type UnsubscribeScope = 'marketing' | 'all';

/** The subject of an unsubscribe token: the customer and the campaign the email came from (for the ledger), `|all` for stop-everything links. */
export function unsubscribeSubject(customerId: string, campaignId: string, scope: UnsubscribeScope = 'marketing'): string {
  return scope === 'all' ? `${customerId}|${campaignId}|all` : `${customerId}|${campaignId}`;
}

export function parseUnsubscribeSubject(sub: string): { customerId: string; campaignId: string; scope: UnsubscribeScope } | undefined {
  const [customerId, campaignId, scope, extra] = sub.split('|');
  if (!customerId || !campaignId || extra !== undefined) return undefined;
  if (scope === undefined) return { customerId, campaignId, scope: 'marketing' };
  return scope === 'all' ? { customerId, campaignId, scope } : undefined;
}

export function unsubscribeUrl(publicBaseUrl: string, key: string, customerId: string, campaignId: string, now: Date, scope: UnsubscribeScope = 'marketing'): string {
  const url = new URL('/unsubscribe', publicBaseUrl);
  const exp = Math.floor(now.getTime() / 1000) + UNSUBSCRIBE_TTL_SECONDS;
  url.searchParams.set('token', signToken({ purpose: UNSUBSCRIBE_TOKEN_PURPOSE, sub: unsubscribeSubject(customerId, campaignId, scope), exp }, key));
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
