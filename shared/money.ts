/** Money is kept in integer minor units (cents, aurar, øre) so aggregates add up exactly. */

const knownCurrencies: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export function isKnownCurrency(code: string): boolean {
  return knownCurrencies.has(code);
}

const digitsByCurrency = new Map<string, number>();

/** Number of decimal places a currency uses (ISK 0, EUR 2, KWD 3) per ISO 4217 as shipped in ICU. */
export function minorUnitDigits(currency: string): number {
  // Building an Intl.NumberFormat is slow (it was 40% of a CSV import's CPU); at most 26³ codes can be cached.
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/**
 * Converts a decimal amount in major units to integer minor units.
 * Returns undefined if the amount has more decimals than the currency allows (e.g. 10.005 EUR).
 */
export function toMinorUnits(amount: number, currency: string): number | undefined {
  const digits = minorUnitDigits(currency);
  const scaled = Math.round(amount * 10 ** digits);
  // Reject amounts that do not fit the currency's precision rather than silently rounding money.
  if (Math.abs(scaled / 10 ** digits - amount) > 1e-9 * Math.max(1, Math.abs(amount))) return undefined;
  return scaled;
}

export function fromMinorUnits(minor: number, currency: string): number {
  const digits = minorUnitDigits(currency);
  return minor / 10 ** digits;
}

/**
 * Converts minor units of one currency into minor units of another at a fixed rate
 * (units of `to` per one unit of `from`), rounding half away from zero.
 */
export function convertMinorUnits(minor: number, from: string, to: string, rate: number): number {
  if (from === to) return minor;
  const scaled = minor * rate * 10 ** (minorUnitDigits(to) - minorUnitDigits(from));
  return Math.sign(scaled) * Math.round(Math.abs(scaled));
}
