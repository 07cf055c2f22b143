import { fromMinorUnits } from '#shared/money.ts';
import type { Locale } from '#shared/locales.ts';

/** Money for display in the reader's language, e.g. "15,00 €" in Danish, "€15.00" in English. */
export function formatMoney(minor: number, currency: string, locale: Locale): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(fromMinorUnits(minor, currency));
}

/** A calendar date (UTC) for display, e.g. "20. nóvember 2026". */
export function formatDate(isoDate: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(isoDate));
}

/** A list in the reader's language: "tents, backpacks and stoves". */
export function formatList(items: string[], locale: Locale): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
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
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'month', unitDisplay: 'long' }).format(months);
}
