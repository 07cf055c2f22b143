import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken, unverifiedSubject, verifyToken } from '#shared/tokens/signed-token.ts';

const key = 'test-key-0123456789';
const now = new Date('2026-11-25T00:00:00Z');
const exp = Math.floor(now.getTime() / 1000) + 3600;
const K1 = 'a'.repeat(43);
const K2 = 'b'.repeat(43);
const ringOf = (current: string, keys: Record<string, string>) => JSON.stringify({ current, keys });

/** A link as minted before key ids: `<payload>.<sig>`, HMAC under the master key itself. */
function legacyToken(purpose: string, sub: string, master: string): string {
  const payload = Buffer.from(JSON.stringify([purpose, sub, exp])).toString('base64url');
  return `${payload}.${createHmac('sha256', master).update(payload).digest('base64url')}`;
}

describe('signed tokens', () => {
  it('round-trips the claims of a valid token', () => {
    const token = signToken({ purpose: 'form', sub: 'ORD-1', exp }, key);
    expect(verifyToken(token, 'form', key, now)).toEqual({ ok: true, claims: { purpose: 'form', sub: 'ORD-1', exp } });
  });

  it('rejects a token whose payload was altered', () => {
    const token = signToken({ purpose: 'form', sub: 'ORD-1', exp }, key);
    const [kid, , sig] = token.split('.');
    const forged = `${kid}.${Buffer.from(JSON.stringify(['form', 'ORD-2', exp])).toString('base64url')}.${sig}`;
    expect(verifyToken(forged, 'form', key, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a token signed with another key', () => {
    expect(verifyToken(signToken({ purpose: 'form', sub: 'ORD-1', exp }, 'other-key'), 'form', key, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a token minted for another purpose by its signature: each purpose has its own key', () => {
    expect(verifyToken(signToken({ purpose: 'unsubscribe', sub: 'c_1', exp }, key), 'form', key, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a token minted for another purpose even with the purpose in its payload edited (one key per purpose)', () => {
    const [kid, , sig] = signToken({ purpose: 'unsubscribe', sub: 'ORD-1', exp }, key).split('.');
    const edited = `${kid}.${Buffer.from(JSON.stringify(['form', 'ORD-1', exp])).toString('base64url')}.${sig}`;
    expect(verifyToken(edited, 'form', key, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects an expired token', () => {
    const token = signToken({ purpose: 'form', sub: 'ORD-1', exp }, key);
    expect(verifyToken(token, 'form', key, new Date(now.getTime() + 2 * 3600_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('rejects garbage without throwing', () => {
    for (const junk of ['', '.', 'a.b.c', 'abc', '%%%.###', 'k1..', 'k.1.a.b', '../x.y']) expect(verifyToken(junk, 'form', key, now).ok).toBe(false);
  });
});

describe('signed tokens with key ids and rotation', () => {
  it('carry the id of the key that signed them', () => {
    expect(signToken({ purpose: 'form', sub: 'ORD-1', exp }, ringOf('k2', { k1: K1, k2: K2 })).split('.')[0]).toBe('k2');
    expect(signToken({ purpose: 'form', sub: 'ORD-1', exp }, key).split('.')[0]).toBe('k1');
  });

  it('keep a link signed with the old key valid after a new key becomes current', () => {
    const before = ringOf('k1', { k1: K1 });
    const after = ringOf('k2', { k1: K1, k2: K2 });
    const oldLink = signToken({ purpose: 'unsubscribe', sub: 'c_1|news', exp }, before);
    expect(verifyToken(oldLink, 'unsubscribe', after, now)).toEqual({ ok: true, claims: { purpose: 'unsubscribe', sub: 'c_1|news', exp } });
    const newLink = signToken({ purpose: 'unsubscribe', sub: 'c_1|news', exp }, after);
    expect(newLink.startsWith('k2.')).toBe(true);
    expect(verifyToken(newLink, 'unsubscribe', after, now).ok).toBe(true);
  });

  it('keep a link signed with the plain (pre-ring) secret valid once it becomes k1 of a ring', () => {
    const link = signToken({ purpose: 'confirm', sub: 'ORD-9', exp }, K1);
    expect(verifyToken(link, 'confirm', ringOf('k2', { k1: K1, k2: K2 }), now).ok).toBe(true);
  });

  it('reject a link whose key was removed from the ring', () => {
    const oldLink = signToken({ purpose: 'form', sub: 'ORD-1', exp }, ringOf('k1', { k1: K1, k2: K2 }));
    const ring = JSON.stringify({ current: 'k2', keys: { k2: K2, k3: 'c'.repeat(43) }, identity: 'k2' });
    expect(verifyToken(oldLink, 'form', ring, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('reject a key id swapped for another key of the ring', () => {
    const [, payload, sig] = signToken({ purpose: 'form', sub: 'ORD-1', exp }, ringOf('k1', { k1: K1, k2: K2 })).split('.');
    expect(verifyToken(`k2.${payload}.${sig}`, 'form', ringOf('k2', { k1: K1, k2: K2 }), now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('accept a link minted before key ids, against the legacy key, until it expires', () => {
    const link = legacyToken('form', 'ORD-OLD', K1);
    const ring = ringOf('k2', { k1: K1, k2: K2 });
    expect(verifyToken(link, 'form', ring, now)).toEqual({ ok: true, claims: { purpose: 'form', sub: 'ORD-OLD', exp } });
    expect(verifyToken(link, 'form', K1, now).ok).toBe(true);
    expect(verifyToken(link, 'form', ring, new Date((exp + 1) * 1000))).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken(link, 'unsubscribe', ring, now)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it('reject a link minted before key ids once the legacy key is gone or switched off', () => {
    const link = legacyToken('form', 'ORD-OLD', K1);
    expect(verifyToken(link, 'form', JSON.stringify({ current: 'k2', keys: { k2: K2 }, identity: 'k2' }), now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyToken(link, 'form', JSON.stringify({ current: 'k2', keys: { k1: K1, k2: K2 }, legacy: null }), now)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyToken(legacyToken('form', 'ORD-OLD', K2), 'form', ringOf('k2', { k1: K1, k2: K2 }), now)).toEqual({ ok: false, reason: 'bad-signature' });
  });
});

describe('the subject of an expired link (for its "send me a new link" page)', () => {
  it('is read from tokens with and without a key id', () => {
    expect(unverifiedSubject(signToken({ purpose: 'confirm', sub: 'ORD-7', exp }, key))).toBe('ORD-7');
    expect(unverifiedSubject(legacyToken('confirm', 'ORD-8', K1))).toBe('ORD-8');
    expect(unverifiedSubject('junk')).toBeUndefined();
  });
});
