import { describe, expect, it } from 'vitest';
import { signToken, verifyToken } from '#shared/tokens/signed-token.ts';

const key = 'test-key-0123456789';
const now = new Date('2026-11-25T00:00:00Z');
const exp = Math.floor(now.getTime() / 1000) + 3600;

describe('signed tokens', () => {
  it('round-trips the claims of a valid token', () => {
    const token = signToken({ purpose: 'form', sub: 'ORD-1', exp }, key);
    expect(verifyToken(token, 'form', key, now)).toEqual({ ok: true, claims: { purpose: 'form', sub: 'ORD-1', exp } });
  });

  it('rejects a token whose payload was altered', () => {
    const token = signToken({ purpose: 'form', sub: 'ORD-1', exp }, key);
    const [, sig] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify(['form', 'ORD-2', exp])).toString('base64url')}.${sig}`;
    expect(verifyToken(forged, 'form', key, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a token signed with another key', () => {
    expect(verifyToken(signToken({ purpose: 'form', sub: 'ORD-1', exp }, 'other-key'), 'form', key, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a token minted for another purpose', () => {
    expect(verifyToken(signToken({ purpose: 'unsubscribe', sub: 'c_1', exp }, key), 'form', key, now)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it('rejects an expired token', () => {
    const token = signToken({ purpose: 'form', sub: 'ORD-1', exp }, key);
    expect(verifyToken(token, 'form', key, new Date(now.getTime() + 2 * 3600_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('rejects garbage without throwing', () => {
    for (const junk of ['', '.', 'a.b.c', 'abc', '%%%.###']) expect(verifyToken(junk, 'form', key, now).ok).toBe(false);
  });
});
