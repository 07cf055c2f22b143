import { fromMinorUnits } from '#shared/money.ts';
import type { Locale } from '#shared/locales.ts';

/**
 * Intl formatters are costly to build (each loads locale data) and immutable once built, so one per locale and
 * option set is kept for the life of the process: rendering a batch of emails formats many amounts and dates.
 */
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const listFormats = new Map<string, Intl.ListFormat>();
function memo<V>(map: Map<string, V>, key: string, build: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = build();
    map.set(key, value);
  }
  return value;
}

/** Money for display in the reader's language, e.g. "15,00 €" in Danish, "€15.00" in English. */
export function formatMoney(minor: number, currency: string, locale: Locale): string {
  return memo(numberFormats, `money|${locale}|${currency}`, () => new Intl.NumberFormat(locale, { style: 'currency', currency })).format(
    fromMinorUnits(minor, currency),
  );
}

/** A calendar date (UTC) for display, e.g. "20. nóvember 2026". */
export function formatDate(isoDate: string, locale: Locale): string {
  return memo(dateFormats, locale, () => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' })).format(new Date(isoDate));
}

/** A list in the reader's language: "tents, backpacks and stoves". */
export function formatList(items: string[], locale: Locale): string {
  return memo(listFormats, locale, () => new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' })).format(items);
}

/** The name of a country in the reader's language, or undefined for a code that is not a region. */
export function countryName(code: string, locale: Locale): string | undefined {
  try {
    return new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' }).of(code);
  } catch {
    return undefined;
  }
}

/** A number of months with the right plural in the reader's language: "12 months", "12 mánuðir", "12 kuukautta". */
export function formatMonths(months: number, locale: Locale): string {
  return memo(numberFormats, `months|${locale}`, () => new Intl.NumberFormat(locale, { style: 'unit', unit: 'month', unitDisplay: 'long' })).format(months);
}

/** A percentage in the reader's language: "15%", "15 %" in Danish and Finnish. */
export function formatPercent(percent: number, locale: Locale): string {
  return memo(numberFormats, `percent|${locale}`, () => new Intl.NumberFormat(locale, { style: 'percent' })).format(percent / 100);
}
