import type { NormalizedPurchase } from '#shared/purchases/normalize-purchase.ts';

/**
 * What one or more orders add to a customer's profile. Counters are added; dates are min/max'ed.
 * The API applies the delta of one order; the CSV import folds many orders into one delta per customer.
 */
export interface ProfileDelta {
  customerId: string;
  email: string | undefined;
  customerName: string | undefined;
  phone?: string | undefined;
  locale: string | undefined;
  country: string | undefined;
  /** Purchases (orders with total ≥ 0) — the "frequency" of RFM counts distinct orders. */
  orderCount: number;
  refundCount: number;
  itemCount: number;
  /** Net spend in base-currency minor units (refunds subtract). */
  netSpendMinor: number;
  categoryMinor: Record<string, number>;
  /** Net spend per UTC month "YYYY-MM" — the trailing-12-month value is summed from these. */
  monthMinor: Record<string, number>;
  /** Earliest and latest purchase (refunds do not count as purchases). */
  firstPurchaseAt: string | undefined;
  lastPurchaseAt: string | undefined;
  /** Timestamp of the newest order folded in — decides whose name/locale wins. */
  latestOrderAt: string;
}

export function deltaOfPurchase(purchase: NormalizedPurchase): ProfileDelta {
  const isPurchase = purchase.kind === 'purchase';
  return {
    customerId: purchase.customerId,
    email: purchase.email,
    customerName: purchase.customerName,
    phone: purchase.phone,
    locale: purchase.locale,
    country: purchase.country,
    orderCount: isPurchase ? 1 : 0,
    refundCount: isPurchase ? 0 : 1,
    itemCount: purchase.lines.reduce((sum, line) => sum + line.quantity, 0),
    netSpendMinor: purchase.baseTotalMinor,
    categoryMinor: { ...purchase.categoryMinor },
    monthMinor: { [purchase.purchasedAt.slice(0, 7)]: purchase.baseTotalMinor },
    firstPurchaseAt: isPurchase ? purchase.purchasedAt : undefined,
    lastPurchaseAt: isPurchase ? purchase.purchasedAt : undefined,
    latestOrderAt: purchase.purchasedAt,
  };
}

/** Combines two deltas of the same customer. Commutative and associative, so order of folding does not matter. */
export function mergeDeltas(a: ProfileDelta, b: ProfileDelta): ProfileDelta {
  const newer = b.latestOrderAt > a.latestOrderAt ? b : a;
  const older = newer === a ? b : a;
  return {
    customerId: a.customerId,
    email: newer.email ?? older.email,
    customerName: newer.customerName ?? older.customerName,
    phone: newer.phone ?? older.phone,
    locale: newer.locale ?? older.locale,
    country: newer.country ?? older.country,
    orderCount: a.orderCount + b.orderCount,
    refundCount: a.refundCount + b.refundCount,
    itemCount: a.itemCount + b.itemCount,
    netSpendMinor: a.netSpendMinor + b.netSpendMinor,
    categoryMinor: addRecords(a.categoryMinor, b.categoryMinor),
    monthMinor: addRecords(a.monthMinor, b.monthMinor),
    firstPurchaseAt: minDefined(a.firstPurchaseAt, b.firstPurchaseAt),
    lastPurchaseAt: maxDefined(a.lastPurchaseAt, b.lastPurchaseAt),
    latestOrderAt: newer.latestOrderAt,
  };
}

function addRecords(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [key, value] of Object.entries(b)) out[key] = (out[key] ?? 0) + value;
  return out;
}

export function minDefined(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}

export function maxDefined(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
