/**
 * The incentive funnel per incentive type: orders → form opened → submitted → confirmed (double opt-in) →
 * incentive issued → redeemed. An order's type is the one it was issued, else the one its categories would get.
 */
import { inRange, type ReportData, type ReportRange } from '#shared/reports/report-data.ts';

export interface FunnelRow {
  incentiveType: string;
  orders: number;
  /**
   * Orders whose form was opened: the first GET /form of the order is recorded on it, and a submitted form was
   * necessarily opened (orders from before views were recorded count from their submission).
   */
  formOpened: number;
  submitted: number;
  confirmed: number;
  issued: number;
  redeemed: number;
}

export function incentiveFunnel(data: ReportData, range: ReportRange): FunnelRow[] {
  const incentives = new Map(data.incentives.map((i) => [i.orderId, i]));
  const submissions = new Map(data.submissions.map((s) => [s.orderId, s]));
  const redeemed = new Set(data.redeemedCodes.map((c) => c.code));
  const rows = new Map<string, FunnelRow>();
  for (const order of data.orders) {
    if (order.kind !== 'purchase' || !inRange(range, order.purchasedAt)) continue;
    const incentive = incentives.get(order.orderId);
    const type = incentive?.type ?? order.incentiveType;
    let row = rows.get(type);
    if (!row) rows.set(type, (row = { incentiveType: type, orders: 0, formOpened: 0, submitted: 0, confirmed: 0, issued: 0, redeemed: 0 }));
    row.orders++;
    const submission = submissions.get(order.orderId);
    if (order.formOpened || submission) row.formOpened++;
    if (submission) row.submitted++;
    if (submission?.confirmedAt !== undefined) row.confirmed++;
    if (incentive) row.issued++;
    if (incentive && redeemed.has(incentive.code)) row.redeemed++;
  }
  return [...rows.values()].sort((a, b) => b.orders - a.orders || (a.incentiveType < b.incentiveType ? -1 : 1));
}
