/**
 * Acquisition: where customers heard of the shop (the form's answer) against how many customers that brought,
 * their average 12-month value (net order totals in the 12 months up to the report's end) and their repeat rate
 * (share with two or more purchases). Customers are those whose first purchase falls in the report's period.
 */
import { inRange, type ReportData, type ReportRange } from '#shared/reports/report-data.ts';

export const NOT_ANSWERED = 'not answered';

export interface AcquisitionRow {
  heardFrom: string;
  customers: number;
  /** Average net spend per customer over the trailing 12 months, base-currency minor units. */
  averageValue12mMinor: number;
  repeatRate: number;
}

const YEAR_MS = 365 * 86_400_000;

export function acquisition(data: ReportData, range: ReportRange): AcquisitionRow[] {
  const perCustomer = new Map<string, { first: number; purchases: number; value12m: number }>();
  for (const order of data.orders) {
    if (order.purchasedAt > range.to) continue;
    let c = perCustomer.get(order.customerId);
    if (!c) perCustomer.set(order.customerId, (c = { first: Number.POSITIVE_INFINITY, purchases: 0, value12m: 0 }));
    if (order.kind === 'purchase') {
      c.purchases++;
      c.first = Math.min(c.first, order.purchasedAt);
    }
    if (order.purchasedAt > range.to - YEAR_MS) c.value12m += order.totalMinor;
  }
  const heardFrom = new Map(data.profiles.map((p) => [p.customerId, p.heardFrom]));
  const rows = new Map<string, { customers: number; value: number; repeaters: number }>();
  for (const [customerId, c] of perCustomer) {
    if (c.purchases === 0 || !inRange(range, c.first)) continue;
    const source = heardFrom.get(customerId) ?? NOT_ANSWERED;
    const row = rows.get(source) ?? { customers: 0, value: 0, repeaters: 0 };
    row.customers++;
    row.value += c.value12m;
    if (c.purchases >= 2) row.repeaters++;
    rows.set(source, row);
  }
  return [...rows.entries()]
    .map(([source, r]) => ({ heardFrom: source, customers: r.customers, averageValue12mMinor: r.value / r.customers, repeatRate: r.repeaters / r.customers }))
    .sort((a, b) => b.customers - a.customers || (a.heardFrom < b.heardFrom ? -1 : 1));
}
