import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { anyKeyMacMatches, currentKeyMac, keyedHash, keyRingFrom, KeyRingError } from '#shared/tokens/key-ring.ts';
import { hashClientIp } from '#shared/capture/rate-limit.ts';
import { erasureHash, erasureHashes } from '#shared/privacy/person-terms.ts';
import { csrfToken, csrfTokenValid } from '#shared/auth/csrf.ts';

const K1 = 'a'.repeat(43);
const K2 = 'b'.repeat(43);

describe('the signing secret as a key ring', () => {
  it('reads a plain secret as the single key k1 (current, legacy and identity)', () => {
    const ring = keyRingFrom('a-plain-old-secret');
    expect({ current: ring.current, legacy: ring.legacy, identity: ring.identity, keys: [...ring.keys] }).toEqual({
      current: 'k1',
      legacy: 'k1',
      identity: 'k1',
      keys: [['k1', 'a-plain-old-secret']],
    });
  });

  it('reads a JSON ring with k1 as identity and legacy by default', () => {
    const ring = keyRingFrom(JSON.stringify({ current: 'k2', keys: { k1: K1, k2: K2 } }));
    expect({ current: ring.current, legacy: ring.legacy, identity: ring.identity }).toEqual({ current: 'k2', legacy: 'k1', identity: 'k1' });
  });

  it.each([
    ['{not json', 'not JSON'],
    [JSON.stringify({ current: 'k3', keys: { k1: K1 } }), 'current key "k3" is not in keys'],
    [JSON.stringify({ current: 'k2', keys: { k2: K2 } }), 'identity key "k1" is not in keys'],
    [JSON.stringify({ current: 'k1', keys: { k1: 'short' } }), 'keys.k1'],
    [JSON.stringify({ current: 'k.1', keys: { 'k.1': K1 } }), 'current'],
    ['', 'empty'],
  ])('refuses a malformed ring %#, saying what is wrong and never the keys', (secret, message) => {
    expect(() => keyRingFrom(secret)).toThrow(KeyRingError);
    expect(() => keyRingFrom(secret)).toThrow(message);
    try {
      keyRingFrom(secret);
    } catch (error) {
      expect(String(error)).not.toContain(K1.slice(0, 20));
    }
  });
});

describe('keys per purpose', () => {
  it('give each purpose its own hash of the same input', () => {
    expect(keyedHash(K1, 'client-ip', 'x').equals(keyedHash(K1, 'erasure', 'x'))).toBe(false);
    expect(keyedHash(K1, 'client-ip', 'x').equals(keyedHash(K1, 'client-ip', 'x'))).toBe(true);
  });

  it('keep stable hashes (IP, erasure) unchanged when a new link key becomes current', () => {
    const rotated = JSON.stringify({ current: 'k2', keys: { k1: K1, k2: K2 } });
    expect(hashClientIp('192.0.2.7', rotated)).toBe(hashClientIp('192.0.2.7', K1));
    expect(erasureHash(rotated, 'Anna@Shop.is')).toBe(erasureHash(K1, 'anna@shop.is'));
    expect(erasureHash(K2, 'anna@shop.is')).not.toBe(erasureHash(K1, 'anna@shop.is'));
  });

  it('still find erasure records keyed before per-purpose keys (HMAC of "erased:<address>" under the master key)', () => {
    const [current, legacy] = erasureHashes(K1, 'Anna@Shop.is ');
    expect(current).toBe(erasureHash(K1, 'anna@shop.is'));
    expect(legacy).toBe(createHmac('sha256', K1).update('erased:anna@shop.is').digest('hex'));
    expect(erasureHashes(JSON.stringify({ current: 'k2', keys: { k2: K2 }, identity: 'k2' }), 'anna@shop.is')).toHaveLength(1);
  });

  it('accept a CSRF token made under any key of the ring, and only for its own session', () => {
    const before = K1;
    const after = JSON.stringify({ current: 'k2', keys: { k1: K1, k2: K2 } });
    const token = csrfToken(before, 'session-1');
    expect(csrfTokenValid(after, 'session-1', token)).toBe(true);
    expect(csrfTokenValid(after, 'session-2', token)).toBe(false);
    expect(csrfTokenValid(JSON.stringify({ current: 'k2', keys: { k2: K2 }, identity: 'k2' }), 'session-1', token)).toBe(false);
    expect(currentKeyMac(after, 'console-csrf', 's')).not.toBe(currentKeyMac(K1, 'console-csrf', 's'));
    expect(anyKeyMacMatches(after, 'console-csrf', 's', currentKeyMac(K1, 'console-csrf', 's'))).toBe(true);
  });
});
