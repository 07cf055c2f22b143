import { describe, expect, it } from 'vitest';
import { campaignCouponCode } from '#shared/sending/campaign-coupon.ts';
import { listUnsubscribeHeaders, parseUnsubscribeSubject, unsubscribeUrl, verifyUnsubscribeToken } from '#shared/sending/unsubscribe-link.ts';
import { signToken } from '#shared/tokens/signed-token.ts';

const now = new Date('2026-12-03T12:00:00Z');

describe('campaignCouponCode', () => {
  it('gives a retried send the same code and every other recipient or occurrence a different one', () => {
    const code = campaignCouponCode('BACK', 'key', 'win-back#evt-1#c_1');
    expect(code).toMatch(/^BACK-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(campaignCouponCode('BACK', 'key', 'win-back#evt-1#c_1')).toBe(code);
    expect(campaignCouponCode('BACK', 'key', 'win-back#evt-1#c_2')).not.toBe(code);
    expect(campaignCouponCode('BACK', 'key', 'win-back#evt-2#c_1')).not.toBe(code);
  });

  it('cannot be predicted without the signing key', () => {
    expect(campaignCouponCode('BACK', 'other-key', 'win-back#evt-1#c_1')).not.toBe(campaignCouponCode('BACK', 'key', 'win-back#evt-1#c_1'));
  });
});

describe('unsubscribe links', () => {
  it('carry a signed token naming the customer and campaign, valid for years', () => {
    const url = new URL(unsubscribeUrl('https://shop.example', 'key', { customerId: 'c_1', campaignId: 'win-back', scope: 'marketing' }, now));
    expect(url.pathname).toBe('/unsubscribe');
    const token = url.searchParams.get('token') ?? '';
    const fourYearsLater = new Date(now.getTime() + 4 * 365 * 86_400_000);
    const check = verifyUnsubscribeToken(token, 'key', fourYearsLater);
    expect(check.ok && parseUnsubscribeSubject(check.claims.sub)).toEqual({ customerId: 'c_1', campaignId: 'win-back', scope: 'marketing' });
  });

  it('of a service email stop every email (scope all)', () => {
    const token =
      new URL(unsubscribeUrl('https://shop.example', 'key', { customerId: 'c_1', campaignId: 'service-recovery', scope: 'all' }, now)).searchParams.get(
        'token',
      ) ?? '';
    const check = verifyUnsubscribeToken(token, 'key', now);
    expect(check.ok && parseUnsubscribeSubject(check.claims.sub)).toEqual({ customerId: 'c_1', campaignId: 'service-recovery', scope: 'all' });
  });

  it('carry the occurrence the email belonged to, and links made before it still parse', () => {
    const token =
      new URL(
        unsubscribeUrl('https://shop.example', 'key', { customerId: 'c_1', campaignId: 'win-back', scope: 'marketing', occurrenceId: 'evt-9' }, now),
      ).searchParams.get('token') ?? '';
    const check = verifyUnsubscribeToken(token, 'key', now);
    expect(check.ok && parseUnsubscribeSubject(check.claims.sub)).toEqual({
      customerId: 'c_1',
      campaignId: 'win-back',
      scope: 'marketing',
      occurrenceId: 'evt-9',
    });
    expect(parseUnsubscribeSubject('c_1|win-back')).toEqual({ customerId: 'c_1', campaignId: 'win-back', scope: 'marketing' });
    expect(parseUnsubscribeSubject('c_1|service-recovery|all')).toEqual({ customerId: 'c_1', campaignId: 'service-recovery', scope: 'all' });
    expect(parseUnsubscribeSubject('c_1|service-recovery|all|2026-12-01T09:00')).toEqual({
      customerId: 'c_1',
      campaignId: 'service-recovery',
      scope: 'all',
      occurrenceId: '2026-12-01T09:00',
    });
  });

  it('refuse a token minted for another purpose or signed with another key', () => {
    const formToken = signToken({ purpose: 'form', sub: 'c_1|win-back', exp: 9_999_999_999 }, 'key');
    expect(verifyUnsubscribeToken(formToken, 'key', now)).toEqual({ ok: false, reason: 'bad-signature' });
    const token =
      new URL(unsubscribeUrl('https://shop.example', 'key', { customerId: 'c_1', campaignId: 'win-back', scope: 'marketing' }, now)).searchParams.get(
        'token',
      ) ?? '';
    expect(verifyUnsubscribeToken(token, 'another-key', now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('build the RFC 8058 header pair', () => {
    expect(listUnsubscribeHeaders('https://shop.example/unsubscribe?token=t')).toEqual([
      { name: 'List-Unsubscribe', value: '<https://shop.example/unsubscribe?token=t>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });

  it('reject a malformed subject', () => {
    expect(parseUnsubscribeSubject('c_1')).toBeUndefined();
    expect(parseUnsubscribeSubject('c_1|a|b')).toBeUndefined();
    expect(parseUnsubscribeSubject('c_1|a|marketing')).toBeUndefined();
    expect(parseUnsubscribeSubject('c_1|a|all|')).toBeUndefined();
    expect(parseUnsubscribeSubject('c_1|a|b|evt-1')).toBeUndefined();
  });
});
