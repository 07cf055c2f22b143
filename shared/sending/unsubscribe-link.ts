import { signToken, verifyToken, type TokenCheck } from '#shared/tokens/signed-token.ts';

export const UNSUBSCRIBE_TOKEN_PURPOSE = 'unsubscribe';
/** Unsubscribe links must keep working long after the email (mail sits in inboxes for years): five years. */
const UNSUBSCRIBE_TTL_SECONDS = 5 * 365 * 86_400;

/** The subject of an unsubscribe token: the customer and the campaign the email came from (for the ledger). */
export function unsubscribeSubject(customerId: string, campaignId: string): string {
  return `${customerId}|${campaignId}`;
}

export function parseUnsubscribeSubject(sub: string): { customerId: string; campaignId: string } | undefined {
  const [customerId, campaignId, extra] = sub.split('|');
  return customerId && campaignId && extra === undefined ? { customerId, campaignId } : undefined;
}

export function unsubscribeUrl(publicBaseUrl: string, key: string, customerId: string, campaignId: string, now: Date): string {
  const url = new URL('/unsubscribe', publicBaseUrl);
  const exp = Math.floor(now.getTime() / 1000) + UNSUBSCRIBE_TTL_SECONDS;
  url.searchParams.set('token', signToken({ purpose: UNSUBSCRIBE_TOKEN_PURPOSE, sub: unsubscribeSubject(customerId, campaignId), exp }, key));
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
