import { createHash } from 'node:crypto';
import type { ShopConfig } from '#shared/config/shop-config.ts';
import type { FieldIssue } from '#shared/errors.ts';
import { UnprocessableError, ValidationError } from '#shared/errors.ts';
import { convertMinorUnits, isKnownCurrency, toMinorUnits } from '#shared/money.ts';
import { canonicalLanguageTag } from '#shared/locales.ts';
import { customerIdForEmail, normalizeEmail } from '#shared/purchases/customer-id.ts';
import type { PurchaseInput } from '#shared/purchases/purchase-input.ts';

export interface NormalizedLine {
  sku: string;
  name: string;
  category: string;
  quantity: number;
  /** Unit price in the order's own currency, minor units. */
  unitPriceMinor: number;
}

/** A purchase checked against the shop's rules, with money in minor units and the customer resolved. */
export interface NormalizedPurchase {
  orderId: string;
  customerId: string;
  email: string | undefined;
  customerName: string | undefined;
  phone: string | undefined;
  locale: string | undefined;
  country: string | undefined;
  lines: NormalizedLine[];
  /** Currency the order was placed in, and its total in that currency's minor units. */
  currency: string;
  totalMinor: number;
  /** Total converted into the shop's base currency, minor units. */
  baseTotalMinor: number;
  /** Per-category net amount in base-currency minor units (from the lines, scaled so they sum to the base total). */
  categoryMinor: Record<string, number>;
  /** UTC ISO timestamp. */
  purchasedAt: string;
  kind: 'purchase' | 'refund';
}

/**
 * Checks a parsed purchase against the shop's currency rules and converts it to minor units.
 * Throws ValidationError / UnprocessableError with field-level issues. `signingKey` keys the customer id.
 */
export function normalizePurchase(input: PurchaseInput, config: ShopConfig, now: Date, signingKey: string): NormalizedPurchase {
  const issues: FieldIssue[] = [];
  const { currency } = input;
  if (!isKnownCurrency(currency))
    throw new ValidationError('Unknown currency', [{ field: 'currency', message: `"${currency}" is not an ISO 4217 currency code` }]);
  const base = config.shop.baseCurrency;
  const rate = currency === base ? 1 : config.shop.exchangeRates[currency];
  if (rate === undefined) {
    throw new UnprocessableError('Currency not accepted', [
      { field: 'currency', message: `${currency} has no exchange rate into ${base}; add it under shop.exchangeRates in config/shop.yaml` },
    ]);
  }

  const totalMinor = toMinorUnits(input.total, currency);
  if (totalMinor === undefined) issues.push({ field: 'total', message: `has more decimal places than ${currency} allows` });
  const lines: NormalizedLine[] = [];
  input.items.forEach((item, index) => {
    const unitPriceMinor = toMinorUnits(item.price, currency);
    if (unitPriceMinor === undefined) issues.push({ field: `items.${index}.price`, message: `has more decimal places than ${currency} allows` });
    else lines.push({ sku: item.sku, name: item.name, category: item.category, quantity: item.quantity, unitPriceMinor });
  });

  const purchasedAt = new Date(input.purchasedAt);
  if (purchasedAt.getTime() > now.getTime() + config.purchases.maxFutureSkewMinutes * 60_000) {
    issues.push({ field: 'purchasedAt', message: 'is in the future' });
  }
  const locale = input.locale === undefined ? undefined : canonicalLanguageTag(input.locale);
  if (input.locale !== undefined && locale === undefined)
    issues.push({ field: 'locale', message: 'is not a valid BCP 47 language tag (e.g. "is" or "da-DK")' });
  if (issues.length > 0 || totalMinor === undefined) throw new ValidationError('The purchase has invalid fields', issues);

  const email = normalizeEmail(input.customerEmail);
  const baseTotalMinor = convertMinorUnits(totalMinor, currency, base, rate);
  return {
    orderId: input.orderId,
    customerId: customerIdForEmail(email, signingKey),
    email,
    customerName: input.customerName,
    phone: input.customerPhone,
    locale,
    country: undefined,
    lines,
    currency,
    totalMinor,
    baseTotalMinor,
    categoryMinor: allocateToCategories(lines, baseTotalMinor),
    purchasedAt: purchasedAt.toISOString(),
    kind: totalMinor < 0 ? 'refund' : 'purchase',
  };
}

/**
 * Splits the base-currency total across the lines' categories in proportion to their line amounts
 * (so shipping or a discount folded into the total is spread fairly), with the remainder of rounding
 * given to the largest category so the parts always sum to the total exactly.
 */
export function allocateToCategories(lines: NormalizedLine[], baseTotalMinor: number): Record<string, number> {
  const byCategory = new Map<string, number>();
  for (const line of lines) byCategory.set(line.category, (byCategory.get(line.category) ?? 0) + line.unitPriceMinor * line.quantity);
  const lineSum = [...byCategory.values()].reduce((a, b) => a + b, 0);
  const result: Record<string, number> = {};
  if (byCategory.size === 0) return result;
  if (lineSum === 0) {
    // No usable proportions (e.g. free items): put the whole total on the first category.
    const first = [...byCategory.keys()][0] ?? 'uncategorized';
    result[first] = baseTotalMinor;
    return result;
  }
  let allocated = 0;
  let largest: string | undefined;
  for (const [category, amount] of byCategory) {
    const share = Math.trunc((amount * baseTotalMinor) / lineSum);
    result[category] = share;
    allocated += share;
    if (largest === undefined || Math.abs(amount) > Math.abs(byCategory.get(largest) ?? 0)) largest = category;
  }
  if (largest !== undefined) result[largest] = (result[largest] ?? 0) + (baseTotalMinor - allocated);
  return result;
}

/** Stable hash of what was asked, to tell a true replay from a different order reusing an id. */
export function purchaseFingerprint(purchase: NormalizedPurchase): string {
  const { orderId, customerId, lines, currency, totalMinor, purchasedAt } = purchase;
  return createHash('sha256').update(JSON.stringify({ orderId, customerId, lines, currency, totalMinor, purchasedAt })).digest('base64url');
}
