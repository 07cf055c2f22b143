import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { customerIdForEmail, legacyCustomerIdForEmail } from '#shared/purchases/customer-id.ts';

const K1 = 'a'.repeat(43);
const K2 = 'b'.repeat(43);

describe('keyed customer ids', () => {
  it('cannot be recomputed from the address without the key: another key gives another id', () => {
    expect(customerIdForEmail('anna@example.com', K1)).not.toBe(customerIdForEmail('anna@example.com', K2));
  });

  it('are not the bare hash anyone can compute, and look different from it (k_ vs c_)', () => {
    const bare = createHash('sha256').update('anna@example.com').digest('hex').slice(0, 24);
    expect(legacyCustomerIdForEmail('anna@example.com')).toBe(`c_${bare}`);
    const id = customerIdForEmail('anna@example.com', K1);
    expect(id).toMatch(/^k_[0-9a-f]{24}$/);
    expect(id.slice(2)).not.toBe(bare);
  });

  it('are the same for every spelling of one address', () => {
    expect(customerIdForEmail(' Anna@Example.COM ', K1)).toBe(customerIdForEmail('anna@example.com', K1));
  });

  it('stay the same when a new link key becomes current (they use the identity key)', () => {
    const rotated = JSON.stringify({ current: 'k2', keys: { k1: K1, k2: K2 } });
    expect(customerIdForEmail('anna@example.com', rotated)).toBe(customerIdForEmail('anna@example.com', K1));
  });
});
