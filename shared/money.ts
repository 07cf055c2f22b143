/** Money is kept in integer minor units (cents, aurar, øre) so aggregates add up exactly. */

const knownCurrencies: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export function isKnownCurrency(code: string): boolean {
  return knownCurrencies.has(code);
}

/**
 * Decimal places of every currency that does not use 2, as CLDR gives them (ICU in Node 20 and 22: ISK 0, HUF 0,
 * KWD 3). A fixed table rather than asking Intl at run time: amounts are stored in minor units, so a currency's
 * digits must not change under them when the runtime's ICU data is updated; and the first Intl.NumberFormat of a
 * process costs ~13 ms of CPU, which every function that reads the incentive rules paid at cold start.
 * test/unit/money.test.ts compares the table with this machine's ICU for every currency it knows.
 */
const DIGITS_OTHER_THAN_TWO: ReadonlyMap<string, number> = new Map([
  ...['AFN', 'ALL', 'BIF', 'CLP', 'COP', 'DJF', 'GNF', 'HUF', 'IDR', 'IQD', 'IRR', 'ISK', 'JPY', 'KMF', 'KPW', 'KRW', 'LAK']
    .concat(['LBP', 'MGA', 'MMK', 'PKR', 'PYG', 'RWF', 'SLL', 'SOS', 'SYP', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF', 'YER'])
    .map((code) => [code, 0] as const),
  ...['BHD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((code) => [code, 3] as const),
]);

/** Number of decimal places a currency uses (ISK 0, EUR 2, KWD 3), as CLDR's currency data gives them. */
export function minorUnitDigits(currency: string): number {
  return DIGITS_OTHER_THAN_TWO.get(currency) ?? 2;
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
