import { describe, expect, it } from 'vitest';
import { formatDate, formatList, formatMoney, formatMonths, formatPercent } from '#shared/i18n/format.ts';

describe('display formatting in the reader’s language', () => {
  it('formats money per locale and currency, and a kept formatter never leaks one currency into another', () => {
    expect(formatMoney(1500, 'EUR', 'en')).toBe('€15.00');
    expect(formatMoney(1500, 'EUR', 'da')).toMatch(/^15,00\s€$/);
    // Same locale, other currency (and minor-unit digits) right after: the cache is keyed by both.
    expect(formatMoney(14990, 'ISK', 'en')).toMatch(/^ISK\s14,990$/);
    expect(formatMoney(1500, 'EUR', 'en')).toBe('€15.00');
    expect(formatMoney(14990, 'ISK', 'is')).toMatch(/^14\.990\skr\.$/);
  });

  it('formats percentages, dates, lists and months with the locale’s own conventions', () => {
    expect(formatPercent(15, 'en')).toBe('15%');
    expect(formatPercent(15, 'fi')).toMatch(/^15\s%$/);
    expect(formatDate('2026-11-20', 'is')).toBe('20. nóvember 2026');
    expect(formatDate('2026-11-20', 'en')).toBe('November 20, 2026');
    expect(formatList(['tents', 'backpacks', 'stoves'], 'en')).toBe('tents, backpacks, and stoves');
    expect(formatMonths(12, 'en')).toBe('12 months');
    expect(formatMonths(1, 'en')).toBe('1 month');
  });
});
