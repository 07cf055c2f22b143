import { describe, expect, it } from 'vitest';
import { countryOf } from '#shared/imports/csv-country.ts';

describe('countryOf', () => {
  it('reads ISO alpha-2 and alpha-3 codes in any case', () => {
    expect(countryOf('is')).toEqual({ kind: 'code', code: 'IS' });
    expect(countryOf('DNK')).toEqual({ kind: 'code', code: 'DK' });
    expect(countryOf(' gbr ')).toEqual({ kind: 'code', code: 'GB' });
  });

  it('reads country names in English and the form languages (is, da, he, fi), with or without diacritics', () => {
    expect(countryOf('United Kingdom')).toEqual({ kind: 'code', code: 'GB' });
    expect(countryOf('Ísland')).toEqual({ kind: 'code', code: 'IS' });
    expect(countryOf('island')).toEqual({ kind: 'code', code: 'IS' });
    expect(countryOf('Danmark')).toEqual({ kind: 'code', code: 'DK' });
    expect(countryOf('Þýskaland')).toEqual({ kind: 'code', code: 'DE' });
    expect(countryOf('Suomi')).toEqual({ kind: 'code', code: 'FI' });
    expect(countryOf('ישראל')).toEqual({ kind: 'code', code: 'IL' });
  });

  it('knows the common names exports use that are no ISO name', () => {
    expect(countryOf('EIRE')).toEqual({ kind: 'code', code: 'IE' });
    expect(countryOf('RSA')).toEqual({ kind: 'code', code: 'ZA' });
    expect(countryOf('UK')).toEqual({ kind: 'code', code: 'GB' });
    expect(countryOf('USA')).toEqual({ kind: 'code', code: 'US' });
  });

  it('leaves values that name no single country unknown, and flags what it cannot place', () => {
    for (const value of ['', 'Unspecified', 'European Community', 'Channel Islands']) expect(countryOf(value)).toEqual({ kind: 'unknown' });
    expect(countryOf('Narnia')).toEqual({ kind: 'unrecognised' });
    expect(countryOf('QQ')).toEqual({ kind: 'unrecognised' });
  });
});
