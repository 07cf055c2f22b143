import type { ShopConfig } from '#shared/config/shop-config.ts';
import { UnprocessableError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import { isKnownCurrency, minorUnitDigits } from '#shared/money.ts';
import { customerIdForExternalId, normalizeEmail } from '#shared/purchases/customer-id.ts';
import { normalizePurchase, purchaseFingerprint, type NormalizedPurchase } from '#shared/purchases/normalize-purchase.ts';
import { PurchaseInput } from '#shared/purchases/purchase-input.ts';
import { columnLabel, type ColumnLayout, type ImportField } from '#shared/imports/csv-columns.ts';
import type { ParsedRow, RowResult } from '#shared/imports/csv-row.ts';

/** An order of the file, checked and normalised exactly as the API would, ready to be recorded. */
export interface ImportOrder {
  purchase: NormalizedPurchase;
  fingerprint: string;
}

export interface GroupedOrders {
  /** Accepted orders, in the order of their first row in the file. */
  orders: ImportOrder[];
  /** Every rejected row: its line number and why. */
  rejectedLines: Map<number, string>;
  rowsAccepted: number;
  ordersRejected: number;
}

interface LineDraft {
  line: number;
  sku: string;
  name: string;
  category: string;
  quantity: number;
  price: number;
}

interface OrderDraft {
  orderId: string;
  firstLine: number;
  customerKey: string | undefined;
  email: string | undefined;
  externalCustomerId: string | undefined;
  purchasedAt: string | undefined;
  currency: string | undefined;
  country: string | undefined;
  customerName: string | undefined;
  locale: string | undefined;
  lines: LineDraft[];
  /** Rows of this order rejected on their own, with their reasons. */
  rejected: { line: number; reason: string }[];
  /** Why the rows of this order do not make one order (they disagree on its customer, date or currency). */
  conflicts: string[];
}

/**
 * Collects the rows of a file into orders. Rows of one order may be anywhere in the file; the order is only
 * judged at `finish`, once all its rows are known. If any row of an order is rejected, the whole order is,
 * so an order is never recorded with lines missing. Pure: no I/O.
 */
export class OrderGrouper {
  private readonly drafts = new Map<string, OrderDraft>();
  private readonly rejectedLines = new Map<number, string>();
  // Product texts repeat across orders; sharing one string per distinct value keeps 500k rows small in memory.
  private readonly strings = new Map<string, string>();
  private rowsAccepted = 0;
  private ordersRejected = 0;
  private ordersSeen = 0;

  constructor(private readonly columns: ColumnLayout) {}

  /** Adds a parsed row; returns its order id when this row is the order's first, so the caller can look the order up early. */
  add(result: RowResult): string | undefined {
    if (result.ok) {
      const isNew = !this.drafts.has(result.row.orderId);
      this.addRow(result.row);
      return isNew ? result.row.orderId : undefined;
    }
    if (result.orderId === undefined) {
      this.rejectedLines.set(result.line, result.reason);
      return undefined;
    }
    const isNew = !this.drafts.has(result.orderId);
    this.draftFor(result.orderId, result.line).rejected.push({ line: result.line, reason: result.reason });
    return isNew ? result.orderId : undefined;
  }

  private addRow(row: ParsedRow): void {
    const draft = this.draftFor(row.orderId, row.line);
    const customerKey = row.email !== undefined ? `email:${normalizeEmail(row.email)}` : `id:${row.externalCustomerId ?? ''}`;
    if (draft.customerKey === undefined) {
      draft.customerKey = customerKey;
      draft.email = row.email;
      draft.externalCustomerId = row.externalCustomerId;
      draft.purchasedAt = row.purchasedAt;
      draft.currency = row.currency;
    } else {
      // Never quote the customer values: reasons end up in files and terminals.
      if (draft.customerKey !== customerKey) draft.conflicts.push(`line ${row.line} names a different customer than line ${draft.firstLine}`);
      if (draft.purchasedAt !== row.purchasedAt) draft.conflicts.push(`line ${row.line} has a different ${this.label('date')} than line ${draft.firstLine}`);
      if (draft.currency !== row.currency) draft.conflicts.push(`line ${row.line} has a different currency than line ${draft.firstLine}`);
    }
    draft.country ??= this.intern(row.country);
    draft.customerName ??= row.customerName;
    draft.locale ??= row.locale === undefined ? undefined : this.intern(row.locale);
    draft.lines.push({ line: row.line, sku: this.intern(row.sku), name: this.intern(row.name), category: this.intern(row.category), quantity: row.quantity, price: row.price });
  }

  /** Judges every order and returns the accepted ones and every rejected line. Call once, after the last row. */
  finish(config: ShopConfig, now: Date): GroupedOrders {
    const orders: ImportOrder[] = [];
    for (const batch of this.judgeInBatches(config, now, Number.POSITIVE_INFINITY)) orders.push(...batch.orders);
    return { orders, rejectedLines: this.rejectedLines, rowsAccepted: this.rowsAccepted, ordersRejected: this.ordersRejected };
  }

  /**
   * `finish` a batch of `size` orders at a time, so the caller can write the accepted orders of one batch while
   * the next is judged. Each batch says how many orders it judged (accepted or not). Call once, after the last row.
   */
  *judgeInBatches(config: ShopConfig, now: Date, size: number): Generator<{ orders: ImportOrder[]; judged: number }> {
    let orders: ImportOrder[] = [];
    let judged = 0;
    for (const [orderId, draft] of this.drafts) {
      this.drafts.delete(orderId);
      const verdict = this.judge(draft, config, now);
      if (verdict.ok) {
        orders.push(verdict.order);
        this.rowsAccepted += draft.lines.length;
      } else {
        this.ordersRejected++;
        for (const [line, reason] of verdict.reasons) this.rejectedLines.set(line, reason);
      }
      if (++judged >= size) {
        yield { orders, judged };
        orders = [];
        judged = 0;
      }
    }
    if (judged > 0) yield { orders, judged };
  }

  /** Distinct order ids seen, accepted or not. */
  get orderCount(): number {
    return this.ordersSeen;
  }

  /** Every rejected line and the counts, once all orders are judged. */
  get outcome(): Omit<GroupedOrders, 'orders'> {
    return { rejectedLines: this.rejectedLines, rowsAccepted: this.rowsAccepted, ordersRejected: this.ordersRejected };
  }

  private judge(draft: OrderDraft, config: ShopConfig, now: Date): { ok: true; order: ImportOrder } | { ok: false; reasons: Map<number, string> } {
    const reasons = new Map<number, string>();
    for (const { line, reason } of draft.rejected) reasons.set(line, reason);
    if (draft.rejected.length > 0) return { ok: false, reasons: this.rejectSiblings(draft, reasons) };
    if (draft.conflicts.length > 0) {
      const why = `the rows of order "${draft.orderId}" do not agree: ${draft.conflicts.slice(0, 3).join('; ')}${draft.conflicts.length > 3 ? '; ...' : ''}`;
      for (const { line } of draft.lines) reasons.set(line, why);
      return { ok: false, reasons };
    }

    const issues = this.check(draft, config, now);
    if (issues.ok) return { ok: true, order: issues.order };
    const orderWide: string[] = [];
    for (const issue of issues.issues) {
      const itemIndex = /^items\.(\d+)\.(\w+)$/.exec(issue.field);
      const line = itemIndex ? draft.lines[Number(itemIndex[1])]?.line : undefined;
      const field = itemIndex?.[2];
      if (line !== undefined && field !== undefined) {
        const text = `${this.labelOfItemField(field)}: ${issue.message}`;
        reasons.set(line, reasons.has(line) ? `${reasons.get(line) ?? ''}; ${text}` : text);
      } else {
        orderWide.push(`${this.labelOfOrderField(issue.field)}: ${issue.message}`);
      }
    }
    if (orderWide.length > 0) {
      const why = `order "${draft.orderId}": ${orderWide.join('; ')}`;
      for (const { line } of draft.lines) reasons.set(line, reasons.has(line) ? `${reasons.get(line) ?? ''}; ${why}` : why);
    }
    return { ok: false, reasons: this.rejectSiblings(draft, reasons) };
  }

  /** The API's own checks, on the order as the API would receive it. */
  private check(draft: OrderDraft, config: ShopConfig, now: Date): { ok: true; order: ImportOrder } | { ok: false; issues: FieldIssue[] } {
    const currency = draft.currency ?? config.shop.baseCurrency;
    // A customer known only by the shop's id has no email; a stand-in address that cannot exist lets the
    // API's schema and normalisation run unchanged, and is replaced by the external id below.
    const externalId = draft.email === undefined ? (draft.externalCustomerId ?? '') : undefined;
    const customerId = externalId === undefined ? undefined : customerIdForExternalId(externalId);
    const input = {
      orderId: draft.orderId,
      customerEmail: draft.email ?? `${customerId ?? 'unknown'}@external-customer-id.invalid`,
      customerName: draft.customerName,
      locale: draft.locale,
      items: draft.lines.map(({ sku, name, category, price, quantity }) => ({ sku, name, category, price, quantity })),
      total: orderTotal(draft.lines, currency),
      currency,
      purchasedAt: draft.purchasedAt ?? '',
    };
    const parsed = PurchaseInput.safeParse(input);
    if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message })) };
    let purchase: NormalizedPurchase;
    try {
      purchase = normalizePurchase(parsed.data, config, now);
    } catch (error) {
      if (error instanceof ValidationError || error instanceof UnprocessableError) {
        return { ok: false, issues: error.issues.length > 0 ? error.issues : [{ field: 'order', message: error.message }] };
      }
      throw error;
    }
    const resolved: NormalizedPurchase = { ...purchase, country: draft.country, ...(customerId === undefined ? {} : { customerId, email: undefined }) };
    return { ok: true, order: { purchase: resolved, fingerprint: purchaseFingerprint(resolved) } };
  }

  private rejectSiblings(draft: OrderDraft, reasons: Map<number, string>): Map<number, string> {
    const culprits = [...reasons.keys()].sort((a, b) => a - b);
    const shown = culprits.slice(0, 5).join(', ') + (culprits.length > 5 ? ', ...' : '');
    const why = `order "${draft.orderId}" is rejected as a whole because ${culprits.length === 1 ? `line ${shown} was` : `lines ${shown} were`} rejected`;
    for (const { line } of draft.lines) if (!reasons.has(line)) reasons.set(line, why);
    return reasons;
  }

  private draftFor(orderId: string, line: number): OrderDraft {
    let draft = this.drafts.get(orderId);
    if (!draft) {
      this.ordersSeen++;
      draft = { orderId, firstLine: line, customerKey: undefined, email: undefined, externalCustomerId: undefined, purchasedAt: undefined, currency: undefined, country: undefined, customerName: undefined, locale: undefined, lines: [], rejected: [], conflicts: [] };
      this.drafts.set(orderId, draft);
    }
    return draft;
  }

  private intern(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }

  private label(field: ImportField): string {
    return columnLabel(this.columns, field);
  }

  private labelOfItemField(field: string): string {
    const known: Record<string, ImportField> = { sku: 'sku', name: 'name', category: 'category', price: 'price', quantity: 'quantity' };
    const importField = known[field];
    return importField === undefined ? field : this.label(importField);
  }

  private labelOfOrderField(field: string): string {
    const known: Record<string, string> = {
      orderId: this.label('orderId'),
      customerEmail: this.label('email'),
      customerName: this.label('customerName'),
      locale: this.label('locale'),
      currency: this.label('currency'),
      purchasedAt: this.label('date'),
      total: 'order total',
      items: 'order lines',
    };
    return known[field] ?? field;
  }
}

/** Groups a complete list of row results (the streaming reader feeds an OrderGrouper row by row instead). */
export function groupRows(results: Iterable<RowResult>, columns: ColumnLayout, config: ShopConfig, now: Date): GroupedOrders {
  const grouper = new OrderGrouper(columns);
  for (const result of results) grouper.add(result);
  return grouper.finish(config, now);
}

/** The order's total from its lines, summed in minor units so it is exact; too-precise prices are reported per line by normalizePurchase. */
function orderTotal(lines: readonly LineDraft[], currency: string): number {
  const digits = isKnownCurrency(currency) ? minorUnitDigits(currency) : 2;
  const scale = 10 ** digits;
  const minor = lines.reduce((sum, line) => sum + Math.round(line.price * scale) * line.quantity, 0);
  return minor / scale;
}
