import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey, statePaths } from '#local/state.ts';
import { applyRotation } from '#shared/tokens/key-rotation.ts';
import { keyRingFrom } from '#shared/tokens/key-ring.ts';
import { signToken, verifyToken } from '#shared/tokens/signed-token.ts';
import { runCli } from '#test/support/run-cli.ts';

const OLD = 'o'.repeat(43);
const now = new Date('2026-12-01T00:00:00Z');
const exp = Math.floor(now.getTime() / 1000) + 86_400;
let counter = 0;
const fresh = () => `${String(++counter).padStart(2, '0')}${'n'.repeat(41)}`;

function stateDir(secret: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kinship-keys-'));
  writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ signingKey: secret, createdAt: '2026-01-01T00:00:00Z' }));
  return dir;
}

describe('rotation steps on the key ring', () => {
  it('rotate turns a plain secret into a ring whose new key signs, and the old key still verifies', () => {
    const link = signToken({ purpose: 'unsubscribe', sub: 'c_1|news', exp }, OLD);
    const { secret } = applyRotation(OLD, { step: 'rotate' }, fresh);
    const ring = keyRingFrom(secret);
    expect({ current: ring.current, ids: [...ring.keys.keys()], identity: ring.identity }).toEqual({ current: 'k2', ids: ['k1', 'k2'], identity: 'k1' });
    expect(verifyToken(link, 'unsubscribe', secret, now).ok).toBe(true);
    expect(signToken({ purpose: 'unsubscribe', sub: 'c_1|news', exp }, secret).startsWith('k2.')).toBe(true);
  });

  it('add keeps the current key signing until use switches it', () => {
    const added = applyRotation(OLD, { step: 'add' }, fresh).secret;
    expect(keyRingFrom(added).current).toBe('k1');
    expect(keyRingFrom(applyRotation(added, { step: 'use', keyId: 'k2' }).secret).current).toBe('k2');
    expect(() => applyRotation(added, { step: 'use', keyId: 'k7' })).toThrow('there is no key "k7"');
  });

  it('retire removes an old link key, but never the current or the identity key', () => {
    const two = applyRotation(applyRotation(OLD, { step: 'rotate' }, fresh).secret, { step: 'rotate' }, fresh).secret;
    const linkK2 = signToken({ purpose: 'form', sub: 'ORD-1', exp }, applyRotation(two, { step: 'use', keyId: 'k2' }).secret);
    expect(verifyToken(linkK2, 'form', two, now).ok).toBe(true);
    const retired = applyRotation(two, { step: 'retire', keyId: 'k2' }).secret;
    expect([...keyRingFrom(retired).keys.keys()]).toEqual(['k1', 'k3']);
    expect(verifyToken(linkK2, 'form', retired, now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(() => applyRotation(two, { step: 'retire', keyId: 'k3' })).toThrow('current key');
    expect(() => applyRotation(two, { step: 'retire', keyId: 'k1' })).toThrow('identity key');
  });
});

describe('npx kinship keys', () => {
  it('rotates the local key file, which npm start then reads back as the ring, without printing a key', async () => {
    const dir = stateDir(OLD);
    const result = await runCli(['keys', 'rotate'], { KINSHIP_STATE_DIR: dir });
    expect(result.code).toBe(0);
    expect(result.out).toContain('k1 (identity, legacy links)\nk2 (current)');
    const stored: unknown = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'));
    expect(stored).toMatchObject({ createdAt: '2026-01-01T00:00:00Z', signingKey: { current: 'k2', keys: { k1: OLD } } });
    const secret = loadOrCreateSigningKey(statePaths(dir));
    expect(keyRingFrom(secret).current).toBe('k2');
    expect(result.out + result.err).not.toContain(OLD);
    expect(result.out + result.err).not.toContain(keyRingFrom(secret).keys.get('k2'));
  });

  it('rewrites a secret file fetched from AWS in place and prints the command that stores it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kinship-keys-'));
    const file = join(dir, 'secret.txt');
    writeFileSync(file, `${OLD}\n`);
    const result = await runCli(['keys', 'add', '--secret-file', file], {});
    expect(result.code).toBe(0);
    const ring = keyRingFrom(readFileSync(file, 'utf8'));
    expect({ current: ring.current, old: ring.keys.get('k1') }).toEqual({ current: 'k1', old: OLD });
    expect(result.out).toContain(`aws secretsmanager put-secret-value --secret-id "$SIGNING_KEY_SECRET_ARN" --secret-string file://${file}`);
  });

  it('refuses to retire the identity key, and a missing id, with exit codes 1 and 2', async () => {
    const dir = stateDir(OLD);
    expect((await runCli(['keys', 'retire', 'k1'], { KINSHIP_STATE_DIR: dir })).code).toBe(1);
    expect((await runCli(['keys', 'retire'], { KINSHIP_STATE_DIR: dir })).code).toBe(2);
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toMatchObject({ signingKey: OLD });
  });
});

describe('the signing secret a warm Lambda holds', () => {
  it('is read again after SECRET_REFRESH_MS, so a key added to the secret reaches warm instances before it signs', async () => {
    const { getSigningKey, SECRET_REFRESH_MS } = await import('#shared/secrets.ts');
    const saved = process.env.KINSHIP_SIGNING_KEY;
    try {
      process.env.KINSHIP_SIGNING_KEY = OLD;
      const t0 = 1_000_000;
      expect(await getSigningKey(t0)).toBe(OLD);
      const added = applyRotation(OLD, { step: 'add' }, fresh).secret;
      process.env.KINSHIP_SIGNING_KEY = added;
      expect(await getSigningKey(t0 + SECRET_REFRESH_MS - 1)).toBe(OLD);
      expect(await getSigningKey(t0 + SECRET_REFRESH_MS)).toBe(added);
      process.env.KINSHIP_SIGNING_KEY = '{"current":"k9"}';
      // A broken secret after a good one: keep the good one (and say why in the error on the next cold start).
      expect(await getSigningKey(t0 + 2 * SECRET_REFRESH_MS)).toBe(added);
    } finally {
      if (saved === undefined) delete process.env.KINSHIP_SIGNING_KEY;
      else process.env.KINSHIP_SIGNING_KEY = saved;
    }
  });
});
