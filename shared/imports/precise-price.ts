/**
 * Unit prices written with more decimals than their currency has (0.165 GBP, a wholesale price per piece). The
 * API stores whole minor units, so such a line becomes at most two lines of the same product whose unit prices
 * differ by one minor unit: the quantity stays exact, and so does the line total, rounded half-even to minor units.
 */

export interface PricedLine {
  /** Unit price in major units, with at most the currency's decimals. */
  price: number;
  quantity: number;
}

/**
 * `price` (written with `decimals` decimals) × `quantity`, as one or two lines whose prices fit `digits` decimals.
 * A price that already fits is returned unchanged.
 */
export function fitPriceToCurrency(price: number, decimals: number, quantity: number, digits: number): PricedLine[] {
  if (decimals <= digits) return [{ price, quantity }];
  // Exact integer arithmetic: the price as an integer count of 10^-decimals, then the line total in minor units.
  const scaled = BigInt(Math.round(Math.abs(price) * 10 ** decimals));
  const totalMinor = divideHalfEven(scaled * BigInt(quantity), 10n ** BigInt(decimals - digits));
  const count = BigInt(quantity);
  const unitMinor = totalMinor / count;
  const higher = Number(totalMinor % count);
  const sign = price < 0 ? -1 : 1;
  const major = (minor: bigint) => {
    const value = (sign * Number(minor)) / 10 ** digits;
    return value === 0 ? 0 : value;
  };
  const lines: PricedLine[] = [];
  if (quantity - higher > 0) lines.push({ price: major(unitMinor), quantity: quantity - higher });
  if (higher > 0) lines.push({ price: major(unitMinor + 1n), quantity: higher });
  return lines;
}

/** n / d for non-negative n and positive d, rounded half to even (banker's rounding). */
export function divideHalfEven(n: bigint, d: bigint): bigint {
  const quotient = n / d;
  const twice = (n % d) * 2n;
  if (twice > d || (twice === d && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}
