import { NotFoundError } from '#shared/errors.ts';
import { signToken, unverifiedSubject, verifyToken, type TokenClaims } from '#shared/tokens/signed-token.ts';
import { LinkExpiredError } from '#shared/capture/capture-errors.ts';

export { FORM_TOKEN_PURPOSE } from '#shared/purchases/record-purchase.ts';
export const CONFIRM_TOKEN_PURPOSE = 'confirm';

/** The claims of a link token, or a typed error: 410 for an expired link, 404 for anything forged, mangled or minted for another purpose. */
export function verifyLink(token: string | undefined, purpose: string, key: string, now: Date): TokenClaims {
  if (!token || token.length > 2048) throw new NotFoundError('This link is incomplete');
  const check = verifyToken(token, purpose, key, now);
  if (check.ok) return check.claims;
  if (check.reason === 'expired') throw new LinkExpiredError('This link has expired', unverifiedSubject(token));
  throw new NotFoundError('This link is not valid');
}

/** The double opt-in link: /confirm?token=… (GET shows the page, its button POSTs), sub = order id. The expiry doubles as the opt-in's version. */
export function confirmUrlFor(publicBaseUrl: string, signingKey: string, orderId: string, exp: number): string {
  const url = new URL('/confirm', publicBaseUrl);
  url.searchParams.set('token', signToken({ purpose: CONFIRM_TOKEN_PURPOSE, sub: orderId, exp }, signingKey));
  return url.toString();
}
