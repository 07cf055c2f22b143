import { randomBytes } from 'node:crypto';

/** Crockford base32: no I, L, O or U, so a code read aloud or typed from paper is not misread. */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUP = 5;
const GROUPS = 2;

/** Shape of every code Kinship generates: PREFIX-XXXXX-XXXXX (50 random bits). */
export const GENERATED_CODE = /^[A-Z0-9]{1,12}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/;

/**
 * A random code such as `THANKS-7KQ2M-9XD4P`: 10 characters of a 32-letter alphabet from the OS CSPRNG.
 * 2^50 possibilities make a guess hopeless and a collision rare; issuance still claims each code with a
 * conditional write (`CODE#<code>`), so a collision is retried, never handed out twice.
 */
export function generateCode(prefix: string, random: (bytes: number) => Buffer = randomBytes): string {
  const bytes = random(GROUP * GROUPS);
  let body = '';
  // 256 is a multiple of 32, so taking each byte modulo 32 is unbiased.
  for (let i = 0; i < GROUP * GROUPS; i++) body += CODE_ALPHABET[(bytes[i] ?? 0) % 32] ?? '0';
  return `${prefix}-${body.slice(0, GROUP)}-${body.slice(GROUP)}`;
}

/** What a pool code may look like: the shop's own codes, 4–40 letters, digits and dashes. */
export const POOL_CODE = /^[A-Z0-9][A-Z0-9-]{2,38}[A-Z0-9]$/;

/** Normalizes a pool code as read from a file (trimmed, upper-cased), or undefined if it is not a usable code. */
export function normalizePoolCode(text: string): string | undefined {
  const code = text.trim().toUpperCase();
  return POOL_CODE.test(code) ? code : undefined;
}
