import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseDecimal, parseOrderDate } from '#shared/imports/csv-values.ts';

describe('detectDelimiter', () => {
  it('picks the delimiter that splits the header most often, ignoring a BOM and quoted text', () => {
    expect(detectDelimiter('order_id,date,email\n1,2,3')).toBe(',');
    expect(detectDelimiter('\ufefforder_id;date;"e,mail,x,y"\n1;2;3')).toBe(';');
    expect(detectDelimiter('order_id\tdate\temail\n')).toBe('\t');
  });

  it('looks at the header line only and falls back to a comma', () => {
    expect(detectDelimiter('order_id;date\n1,2,3,4,5,6')).toBe(';');
    expect(detectDelimiter('single')).toBe(',');
  });
});

describe('parseDecimal', () => {
  it('reads decimal-point numbers, signs and the minus sign character', () => {
    expect(parseDecimal('12.50', false)).toEqual({ ok: true, value: 12.5 });
    expect(parseDecimal(' -3 ', false)).toEqual({ ok: true, value: -3 });
    expect(parseDecimal('\u22124.5', false)).toEqual({ ok: true, value: -4.5 });
    expect(parseDecimal('.5', false)).toEqual({ ok: true, value: 0.5 });
  });

  it('refuses a decimal comma without --decimal-comma and says which option to pass', () => {
    const result = parseDecimal('12,50', false);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain('--decimal-comma');
  });

  it('reads decimal commas with grouped thousands when asked to', () => {
    expect(parseDecimal('12,50', true)).toEqual({ ok: true, value: 12.5 });
    expect(parseDecimal('1.234,50', true)).toEqual({ ok: true, value: 1234.5 });
    expect(parseDecimal('1 234 567,5', true)).toEqual({ ok: true, value: 1234567.5 });
    expect(parseDecimal('-1234', true)).toEqual({ ok: true, value: -1234 });
  });

  it('refuses ambiguous or malformed numbers with a decimal comma', () => {
    expect(parseDecimal('1.23,4', true).ok).toBe(false);
    expect(parseDecimal('12.50', true)).toMatchObject({ ok: false, reason: expect.stringContaining('drop --decimal-comma') });
    expect(parseDecimal('', true)).toEqual({ ok: false, reason: 'is empty' });
    expect(parseDecimal('abc', false).ok).toBe(false);
  });
});

describe('parseOrderDate', () => {
  it('reads ISO dates with and without time and zone, as UTC', () => {
    expect(parseOrderDate('2026-03-01', 'ISO')).toEqual({ ok: true, iso: '2026-03-01T00:00:00.000Z' });
    expect(parseOrderDate('2026-03-01T10:15:00Z', 'ISO')).toEqual({ ok: true, iso: '2026-03-01T10:15:00.000Z' });
    expect(parseOrderDate('2026-03-01 10:15:30.25+02:00', 'ISO')).toEqual({ ok: true, iso: '2026-03-01T08:15:30.250Z' });
    expect(parseOrderDate('2026-03-01T01:00-0130', 'ISO')).toEqual({ ok: true, iso: '2026-03-01T02:30:00.000Z' });
  });

  it('reads European and US day orders and 12-hour times', () => {
    expect(parseOrderDate('1.3.2026 10:00', 'DD.MM.YYYY')).toEqual({ ok: true, iso: '2026-03-01T10:00:00.000Z' });
    expect(parseOrderDate('03/01/2026 2:05 PM', 'MM/DD/YYYY')).toEqual({ ok: true, iso: '2026-03-01T14:05:00.000Z' });
    expect(parseOrderDate('03/01/2026 12:00 AM', 'MM/DD/YYYY')).toEqual({ ok: true, iso: '2026-03-01T00:00:00.000Z' });
    expect(parseOrderDate('2026-3-1', 'YYYY-MM-DD')).toEqual({ ok: true, iso: '2026-03-01T00:00:00.000Z' });
  });

  it('refuses impossible dates and times instead of rolling them over', () => {
    expect(parseOrderDate('2026-02-29', 'ISO')).toMatchObject({ ok: false, reason: expect.stringContaining('not a calendar date') });
    expect(parseOrderDate('2024-02-29', 'ISO').ok).toBe(true);
    expect(parseOrderDate('2026-03-01T24:00', 'ISO')).toMatchObject({ ok: false, reason: expect.stringContaining('time of day') });
    expect(parseOrderDate('1899-12-31', 'ISO')).toMatchObject({ ok: false, reason: expect.stringContaining('before 1900') });
    expect(parseOrderDate('13:00 PM', 'ISO').ok).toBe(false);
  });

  it('suggests the --date-format that fits a non-ISO date', () => {
    expect(parseOrderDate('01.03.2026', 'ISO')).toMatchObject({ ok: false, reason: expect.stringContaining('--date-format DD.MM.YYYY') });
    expect(parseOrderDate('03/01/2026', 'ISO')).toMatchObject({ ok: false, reason: expect.stringContaining('--date-format MM/DD/YYYY') });
    expect(parseOrderDate('', 'ISO')).toEqual({ ok: false, reason: 'is empty' });
  });
});
