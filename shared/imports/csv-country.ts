import countries from 'i18n-iso-countries/index.js';
import da from 'i18n-iso-countries/langs/da.json' with { type: 'json' };
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import fi from 'i18n-iso-countries/langs/fi.json' with { type: 'json' };
import he from 'i18n-iso-countries/langs/he.json' with { type: 'json' };
import is from 'i18n-iso-countries/langs/is.json' with { type: 'json' };

/**
 * Reads the country of an order as shops write it: an ISO 3166 alpha-2 or alpha-3 code, or the country's name in
 * English or one of the form's languages (is, da, he, fi), any case, with or without diacritics. Only these five
 * name lists are registered: the full library is 14 times larger.
 */
const LANGUAGES = ['en', 'is', 'da', 'he', 'fi'] as const;
for (const locale of [en, is, da, he, fi]) countries.registerLocale(locale);

/**
 * Names exports use that are no country name in the library. `null`: a known way of saying "not one country"
 * (the order's country stays unknown). Keys are compared after foldName.
 */
const ALIASES: ReadonlyMap<string, string | null> = new Map([
  ['eire', 'IE'],
  ['rsa', 'ZA'],
  ['uk', 'GB'],
  ['great britain', 'GB'],
  ['england', 'GB'],
  ['scotland', 'GB'],
  ['wales', 'GB'],
  ['northern ireland', 'GB'],
  ['usa', 'US'],
  ['u.s.a.', 'US'],
  ['u.s.', 'US'],
  ['america', 'US'],
  ['south korea', 'KR'],
  ['korea', 'KR'],
  ['russia', 'RU'],
  ['czech republic', 'CZ'],
  ['holland', 'NL'],
  // Jersey and Guernsey are two countries; the export does not say which.
  ['channel islands', null],
  ['european community', null],
  ['european union', null],
  ['eu', null],
  ['unspecified', null],
  ['unknown', null],
  ['n/a', null],
  ['none', null],
  ['-', null],
]);

export type CountryResult =
  /** An ISO 3166 alpha-2 code. */
  | { kind: 'code'; code: string }
  /** Empty, or a value that names no single country ("Unspecified", "European Community"). */
  | { kind: 'unknown' }
  /** A value the library cannot place: the order keeps an unknown country, and the summary counts it. */
  | { kind: 'unrecognised' };

// Exports repeat a handful of country values over and over; the library's name lookup scans every name.
const cache = new Map<string, CountryResult>();
const CACHE_LIMIT = 10_000;

export function countryOf(value: string): CountryResult {
  const text = value.trim();
  if (text === '') return { kind: 'unknown' };
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  const result = lookUp(text);
  if (cache.size < CACHE_LIMIT) cache.set(text, result);
  return result;
}

function lookUp(text: string): CountryResult {
  const folded = foldName(text);
  const alias = ALIASES.get(folded);
  if (alias === null) return { kind: 'unknown' };
  if (alias !== undefined) return { kind: 'code', code: alias };
  const upper = text.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper) && countries.isValid(upper)) return { kind: 'code', code: upper };
  if (/^[A-Z]{3}$/.test(upper)) {
    const code = countries.alpha3ToAlpha2(upper);
    if (code !== undefined) return { kind: 'code', code };
  }
  for (const language of LANGUAGES) {
    const code = countries.getSimpleAlpha2Code(text, language);
    if (code !== undefined) return { kind: 'code', code };
  }
  return { kind: 'unrecognised' };
}

function foldName(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ');
}
