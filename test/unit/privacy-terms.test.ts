import { describe, expect, it } from 'vitest';
import { actionFor, kindOf } from '#shared/privacy/item-kinds.ts';
import { addTerms, erasureHash, mentionsIn, scrubValue, type PersonTerms } from '#shared/privacy/person-terms.ts';
import { emailEventExpiresAt, PrivacyConfigSchema } from '#shared/privacy/privacy-config.ts';
import { buildExport, renderExportHtml } from '#shared/privacy/export-document.ts';

const terms = (): PersonTerms => {
  const t: PersonTerms = { customerId: 'c_abc', addresses: [], names: [] };
  addTerms(t, { addresses: ['Anna@Example.com', 'not an address'], names: ['Anna Jónsdóttir', 'Al'] });
  return t;
};

describe('finding and removing a person', () => {
  it('finds the address in any case, nested in maps, lists and sets, and in attribute names', () => {
    expect(mentionsIn({ a: [{ b: new Set(['x ANNA@example.COM y']) }] }, terms())).toMatchObject({ address: true, customerId: false });
    expect(mentionsIn({ 'cat#c_abc': 1 }, terms())).toMatchObject({ customerId: true });
    expect(mentionsIn({ note: 'anna jónsdóttir called' }, terms())).toEqual({ customerId: false, address: false, name: true });
  });

  it('ignores names too short to be told apart from other words', () => {
    expect(terms().names).toEqual(['anna jónsdóttir']);
  });

  it('scrubs mentions and swaps the id for the anonymous one, leaving other values alone', () => {
    expect(scrubValue({ referredBy: 'c_abc', answers: { referrerEmail: 'anna@example.com', products: ['TENT'] }, total: 5 }, terms(), 'anon_1')).toEqual({
      referredBy: 'anon_1',
      answers: { referrerEmail: '[erased]', products: ['TENT'] },
      total: 5,
    });
  });

  it('keys the tombstone by a keyed hash of the normalized address', () => {
    expect(erasureHash('key', ' Anna@Example.com ')).toBe(erasureHash('key', 'anna@example.com'));
    expect(erasureHash('other-key', 'anna@example.com')).not.toBe(erasureHash('key', 'anna@example.com'));
    expect(erasureHash('key', 'anna@example.com')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('deletes what is keyed by the person, scrubs what only mentions them, and keeps orders only when configured', () => {
    const t = terms();
    const lookup = { PK: 'LOOKUP#NAME#anna jónsdóttir', SK: 'X' };
    expect(actionFor(kindOf(lookup, 'c_abc'), lookup, t, true)).toEqual({ action: 'delete' });
    const othersForm = { PK: 'ORDER#9', SK: 'SUBMISSION', customerId: 'c_other', answers: { referrerEmail: 'anna@example.com' } };
    expect(kindOf(othersForm, 'c_abc')).toBe('other');
    expect(actionFor('other', othersForm, t, true)).toEqual({ action: 'scrub' });
    const order = { PK: 'ORDER#1', SK: 'ORDER', customerId: 'c_abc' };
    expect(actionFor(kindOf(order, 'c_abc'), order, t, true)).toEqual({ action: 'anonymise-order' });
    expect(actionFor(kindOf(order, 'c_abc'), order, t, false)).toEqual({ action: 'delete' });
  });
});

describe('privacy config and export page', () => {
  it('rejects a retention that is not a whole number of months, naming the key', () => {
    const parsed = PrivacyConfigSchema.safeParse({ retention: { freeTextAnswersMonths: 1.5 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['retention', 'freeTextAnswersMonths']);
    expect(PrivacyConfigSchema.parse({})).toMatchObject({
      keepOrders: true,
      retention: { freeTextAnswersMonths: 24, emailEventsMonths: 13, contactsNotesMonths: 36 },
    });
  });

  it('escapes every value on the export page', () => {
    const doc = buildExport(
      {
        terms: terms(),
        items: [{ kind: 'profile', viaKeys: true, item: { PK: 'CUST#c_abc', SK: 'PROFILE', customerName: '<img src=x onerror=alert(1)>' } }],
        nameOnlyMatches: 0,
        scan: { itemsScanned: 1, segments: 1 },
      },
      '2026-12-01T00:00:00Z',
    );
    const page = renderExportHtml(doc);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<img');
    expect(page).toContain('<h2>Profile');
  });
});

describe('email event retention', () => {
  it('expires an email event the configured number of calendar months after it happened', () => {
    const at = new Date('2026-01-31T12:00:00Z');
    expect(emailEventExpiresAt(at, PrivacyConfigSchema.parse({}))).toBe(Date.parse('2027-03-03T12:00:00Z') / 1000);
    expect(emailEventExpiresAt(at, PrivacyConfigSchema.parse({ retention: { emailEventsMonths: 1 } }))).toBe(Date.parse('2026-03-03T12:00:00Z') / 1000);
  });
});
