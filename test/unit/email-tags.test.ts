import { describe, expect, it } from 'vitest';
import { campaignEmailTags, captureEmailTags, decodeTagValue, encodeTagValue, readEmailTags } from '#shared/measurement/email-tags.ts';

describe('SES email tags', () => {
  it('encodes an occurrence id with only the characters SES allows, and decodes it back', () => {
    for (const id of ['2026-12-01T10:00', 'evt:9f3c@bus/x y', 'Ísland-ü-✓', 'once']) {
      const encoded = encodeTagValue(id);
      expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeTagValue(encoded)).toBe(id);
    }
  });

  it('refuses to decode a value that encodeTagValue cannot have produced', () => {
    expect(decodeTagValue('abc=')).toBeUndefined();
    expect(decodeTagValue('a.b')).toBeUndefined();
    expect(decodeTagValue('A')).toBeUndefined();
  });

  it('tags a campaign email with campaign, encoded occurrence, customer and kind', () => {
    expect(campaignEmailTags({ campaignId: 'win-back', occurrenceId: '2026-12-01T10:00', customerId: 'c_0123', kind: 'marketing' })).toEqual({
      campaign: 'win-back',
      occurrence: encodeTagValue('2026-12-01T10:00'),
      customer: 'c_0123',
      kind: 'marketing',
    });
  });

  it('refuses a customer id SES would reject as a tag value', () => {
    expect(() => captureEmailTags({ customerId: 'anna@example.com', kind: 'opt-in' })).toThrow(/customer/);
  });

  it("reads the tags back from an SES event, ignoring SES's own and malformed ones", () => {
    const tags = {
      'ses:configuration-set': ['kinship'],
      campaign: ['win-back'],
      occurrence: [encodeTagValue('evt:1')],
      customer: ['c_1'],
      kind: ['marketing'],
    };
    expect(readEmailTags(tags)).toEqual({ campaignId: 'win-back', occurrenceId: 'evt:1', customerId: 'c_1', kind: 'marketing' });
    expect(readEmailTags({ customer: ['c_1'], kind: ['newsletter'], occurrence: ['not base64url!'] })).toEqual({ customerId: 'c_1' });
    expect(readEmailTags(undefined)).toEqual({});
  });
});
