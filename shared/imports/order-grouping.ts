import type { ShopConfig } from '#shared/config/shop-config.ts';
import { UnprocessableError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import { isKnownCurrency, minorUnitDigits } from '#shared/money.ts';
import { customerIdForExternalId, normalizeEmail } from '#shared/purchases/customer-id.ts';
import { normalizePurchase, purchaseFingerprint, type NormalizedPurchase } from '#shared/purchases/normalize-purchase.ts';
import { ORDER_TOO_LARGE, orderItemFits } from '#shared/purchases/order-item-size.ts';
import { PurchaseInput } from '#shared/purchases/purchase-input.ts';
import { orderItem } from '#shared/purchases/record-purchase.ts';
import { columnLabel, type ColumnLayout, type ImportField } from '#shared/imports/csv-columns.ts';
import type { ParsedRow, RowResult } from '#shared/imports/csv-row.ts';
import { fitPriceToCurrency } from '#shared/imports/precise-price.ts';

/** An order of the file, checked and normalised exactly as the API would, ready to be recorded. */
export interface ImportOrder {
  purchase: NormalizedPurchase;
  fingerprint: string;
  /** The order's coupon or discount codes, stored on the order item as the API stores them. */
  couponCodes: string[];
}

/**
 * Orders up to this many lines fit one item whatever their texts (a line is at most ~1.4 KB: 328 characters of
 * 4-byte UTF-8 plus its numbers), so only larger ones are measured — measuring every order costs the import time.
 */
const LINES_ALWAYS_FITTING = 250;

/** Lines of one order may carry times this far apart (entered across a minute boundary); the earliest is the order's. */
export const MAX_ORDER_TIME_SPREAD_MS = 10 * 60_000;

/** What the import did with data it accepted without asking: the summary reports each count. */
export interface GroupingNotes {
  /** Orders no row of which names a customer (no email, no customer id): skipped, not rejected. */
  ordersWithoutCustomer: number;
  rowsWithoutCustomer: number;
  /** Lines of accepted orders that had no category and got the default one. */
  linesDefaultCategory: number;
  /** Accepted orders whose lines carried different times (at most MAX_ORDER_TIME_SPREAD_MS apart). */
  ordersTimeSpread: number;
  /** Accepted orders with no country, or one that names no single country. */
  ordersCountryUnknown: number;
}

export interface GroupedOrders extends GroupingNotes {
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
  defaultCategory: boolean;
  quantity: number;
  price: number;
  priceDecimals: number;
}

interface OrderDraft {
  orderId: string;
  firstLine: number;
  customerKey: string | undefined;
  /** Line of the first row that named the customer. */
  customerLine: number;
  email: string | undefined;
  externalCustomerId: string | undefined;
  /** Earliest and latest time of the order's rows, and the lines that carry them. */
  earliest: { at: string; line: number } | undefined;
  latest: { at: string; line: number } | undefined;
  currency: string | undefined;
  country: string | undefined;
  countryUnrecognised: boolean;
  customerName: string | undefined;
  phone: string | undefined;
  locale: string | undefined;
  couponCodes: Set<string> | undefined;
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
  private readonly notes: GroupingNotes = {
    ordersWithoutCustomer: 0,
    rowsWithoutCustomer: 0,
    linesDefaultCategory: 0,
    ordersTimeSpread: 0,
    ordersCountryUnknown: 0,
  };
  private ordersSeen = 0;

  /** `signingKey` keys the customer ids of the orders (shared/purchases/customer-id.ts). */
  constructor(
    private readonly columns: ColumnLayout,
    private readonly signingKey: string,
  ) {}

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
    // Rows of one order need not all name the customer (a guest's rows, an export that fills the first row only).
    const customerKey =
      row.email !== undefined ? `email:${normalizeEmail(row.email)}` : row.externalCustomerId !== undefined ? `id:${row.externalCustomerId}` : undefined;
    if (customerKey !== undefined) {
      if (draft.customerKey === undefined) {
        draft.customerKey = customerKey;
        draft.customerLine = row.line;
        draft.email = row.email;
        draft.externalCustomerId = row.externalCustomerId;
      } else if (draft.customerKey !== customerKey) {
        // Never quote the customer values: reasons end up in files and terminals.
        draft.conflicts.push(`line ${row.line} names a different customer than line ${draft.customerLine}`);
      }
    }
    if (draft.currency === undefined) draft.currency = row.currency;
    else if (draft.currency !== row.currency)
      draft.conflicts.push(`line ${row.line} has currency "${row.currency}" but line ${draft.firstLine} has "${draft.currency}"`);
    if (draft.earliest === undefined || row.purchasedAt < draft.earliest.at) draft.earliest = { at: row.purchasedAt, line: row.line };
    if (draft.latest === undefined || row.purchasedAt > draft.latest.at) draft.latest = { at: row.purchasedAt, line: row.line };
    if (row.country !== undefined) draft.country ??= this.intern(row.country);
    if (row.countryUnrecognised) draft.countryUnrecognised = true;
    draft.customerName ??= row.customerName;
    draft.phone ??= row.phone;
    draft.locale ??= row.locale === undefined ? undefined : this.intern(row.locale);
    if (row.couponCodes.length > 0) {
      draft.couponCodes ??= new Set();
      for (const code of row.couponCodes) draft.couponCodes.add(code);
    }
    draft.lines.push({
      line: row.line,
      sku: this.intern(row.sku),
      name: this.intern(row.name),
      category: this.intern(row.category),
      defaultCategory: row.defaultCategory,
      quantity: row.quantity,
      price: row.price,
      priceDecimals: row.priceDecimals,
    });
  }

  /** Judges every order and returns the accepted ones and every rejected line. Call once, after the last row. */
  finish(config: ShopConfig, now: Date): GroupedOrders {
    const orders: ImportOrder[] = [];
    // Batches, not one: spreading a few hundred thousand orders into push() overflows the call stack.
    for (const batch of this.judgeInBatches(config, now, 1000)) for (const order of batch.orders) orders.push(order);
    return { orders, ...this.outcome };
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
      if (verdict.ok === 'guest') {
        this.notes.ordersWithoutCustomer++;
        this.notes.rowsWithoutCustomer += draft.lines.length;
      } else if (verdict.ok) {
        orders.push(verdict.order);
        this.rowsAccepted += draft.lines.length;
        this.notes.linesDefaultCategory += draft.lines.reduce((sum, line) => sum + (line.defaultCategory ? 1 : 0), 0);
        if (draft.earliest?.at !== draft.latest?.at) this.notes.ordersTimeSpread++;
        if (draft.country === undefined) this.notes.ordersCountryUnknown++;
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
    return { rejectedLines: this.rejectedLines, rowsAccepted: this.rowsAccepted, ordersRejected: this.ordersRejected, ...this.notes };
  }

  private judge(
    draft: OrderDraft,
    config: ShopConfig,
    now: Date,
  ): { ok: true; order: ImportOrder } | { ok: 'guest' } | { ok: false; reasons: Map<number, string> } {
    const reasons = new Map<number, string>();
    for (const { line, reason } of draft.rejected) reasons.set(line, reason);
    if (draft.rejected.length > 0) return { ok: false, reasons: this.rejectSiblings(draft, reasons) };
    const conflicts = [...draft.conflicts];
    const { earliest, latest } = draft;
    if (earliest !== undefined && latest !== undefined && Date.parse(latest.at) - Date.parse(earliest.at) > MAX_ORDER_TIME_SPREAD_MS) {
      conflicts.push(`line ${latest.line} has ${this.label('date')} ${latest.at} but line ${earliest.line} has ${earliest.at}, more than 10 minutes earlier`);
    }
    if (conflicts.length > 0) {
      const why = `The rows of order "${draft.orderId}" (column "${this.label('orderId')}") do not make one order: ${conflicts.slice(0, 3).join('; ')}${conflicts.length > 3 ? '; ...' : ''}.`;
      for (const { line } of draft.lines) reasons.set(line, why);
      return { ok: false, reasons };
    }
    if (draft.customerKey === undefined) return { ok: 'guest' };

    const issues = this.check(draft, config, now);
    if (issues.ok) return { ok: true, order: issues.order };
    const orderWide: string[] = [];
    for (const issue of issues.issues) {
      const itemIndex = /^items\.(\d+)\.(\w+)$/.exec(issue.field);
      const line = itemIndex ? issues.lineOfItem[Number(itemIndex[1])] : undefined;
      const field = itemIndex?.[2];
      if (line !== undefined && field !== undefined) {
        const text = `In column "${this.labelOfItemField(field)}", the value ${issue.message}.`;
        reasons.set(line, reasons.has(line) ? `${reasons.get(line) ?? ''} ${text}` : text);
      } else {
        orderWide.push(this.orderIssue(draft, issue));
      }
    }
    if (orderWide.length > 0) {
      const why = `Order "${draft.orderId}" (column "${this.label('orderId')}") is not accepted: ${orderWide.join('; ')}.`;
      for (const { line } of draft.lines) reasons.set(line, reasons.has(line) ? `${reasons.get(line) ?? ''} ${why}` : why);
    }
    return { ok: false, reasons: this.rejectSiblings(draft, reasons) };
  }

  /** An order-level problem in words, naming the column and value where there is one. */
  private orderIssue(draft: OrderDraft, issue: FieldIssue): string {
    switch (issue.field) {
      case 'items':
        return `its ${draft.lines.length.toLocaleString('en-US')} lines ${issue.message}`;
      case 'total':
        return `its total (the sum of ${this.label('quantity')} × ${this.label('price')} over its lines) ${issue.message}`;
      case 'purchasedAt':
        return `column "${this.label('date')}" has ${draft.earliest?.at ?? 'no date'}, which ${issue.message}`;
      case 'currency':
        return `column "${this.label('currency')}" has "${draft.currency ?? ''}": ${issue.message}`;
      case 'locale':
        return `column "${this.label('locale')}" has "${draft.locale ?? ''}", which ${issue.message}`;
      case 'couponCodes':
        return `column "${this.label('couponCodes')}" ${issue.message}`;
      default:
        return `${this.labelOfOrderField(issue.field)} ${issue.message}`;
    }
  }

  /** The API's own checks, on the order as the API would receive it. */
  private check(
    draft: OrderDraft,
    config: ShopConfig,
    now: Date,
  ): { ok: true; order: ImportOrder } | { ok: false; issues: FieldIssue[]; lineOfItem: number[] } {
    const currency = draft.currency ?? config.shop.baseCurrency;
    const digits = isKnownCurrency(currency) ? minorUnitDigits(currency) : 2;
    // A customer known only by the shop's id has no email; a stand-in address that cannot exist lets the
    // API's schema and normalisation run unchanged, and is replaced by the external id below.
    const externalId = draft.email === undefined ? (draft.externalCustomerId ?? '') : undefined;
    const customerId = externalId === undefined ? undefined : customerIdForExternalId(externalId);
    const items: { sku: string; name: string; category: string; price: number; quantity: number }[] = [];
    const lineOfItem: number[] = [];
    for (const line of draft.lines) {
      for (const priced of fitPriceToCurrency(line.price, line.priceDecimals, line.quantity, digits)) {
        items.push({ sku: line.sku, name: line.name, category: line.category, ...priced });
        lineOfItem.push(line.line);
      }
    }
    const input = {
      orderId: draft.orderId,
      customerEmail: draft.email ?? `${customerId ?? 'unknown'}@external-customer-id.invalid`,
      customerName: draft.customerName,
      customerPhone: draft.phone,
      locale: draft.locale,
      items,
      total: orderTotal(items, digits),
      currency,
      purchasedAt: draft.earliest?.at ?? '',
      ...(draft.couponCodes === undefined ? {} : { couponCodes: [...draft.couponCodes] }),
    };
    const parsed = PurchaseInput.safeParse(input);
    if (!parsed.success)
      return { ok: false, lineOfItem, issues: parsed.error.issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message })) };
    let purchase: NormalizedPurchase;
    try {
      purchase = normalizePurchase(parsed.data, config, now, this.signingKey);
    } catch (error) {
      if (error instanceof ValidationError || error instanceof UnprocessableError) {
        return { ok: false, lineOfItem, issues: error.issues.length > 0 ? error.issues : [{ field: 'order', message: error.message }] };
      }
      throw error;
    }
    const resolved: NormalizedPurchase = { ...purchase, country: draft.country, ...(customerId === undefined ? {} : { customerId, email: undefined }) };
    const fingerprint = purchaseFingerprint(resolved);
    const couponCodes = parsed.data.couponCodes ?? [];
    if (items.length > LINES_ALWAYS_FITTING && !orderItemFits({ ...orderItem(resolved, fingerprint, undefined, 'import', now), couponCodes })) {
      return { ok: false, lineOfItem, issues: [{ field: 'items', message: ORDER_TOO_LARGE }] };
    }
    return { ok: true, order: { purchase: resolved, fingerprint, couponCodes } };
  }

  private rejectSiblings(draft: OrderDraft, reasons: Map<number, string>): Map<number, string> {
    const culprits = [...reasons.keys()].sort((a, b) => a - b);
    const shown = culprits.slice(0, 5).join(', ') + (culprits.length > 5 ? ', ...' : '');
    const why = `Order "${draft.orderId}" (column "${this.label('orderId')}") is rejected as a whole because ${culprits.length === 1 ? `line ${shown} was` : `lines ${shown} were`} rejected.`;
    for (const { line } of draft.lines) if (!reasons.has(line)) reasons.set(line, why);
    return reasons;
  }

  private draftFor(orderId: string, line: number): OrderDraft {
    let draft = this.drafts.get(orderId);
    if (!draft) {
      this.ordersSeen++;
      draft = {
        orderId,
        firstLine: line,
        customerKey: undefined,
        customerLine: line,
        email: undefined,
        externalCustomerId: undefined,
        earliest: undefined,
        latest: undefined,
        currency: undefined,
        country: undefined,
        countryUnrecognised: false,
        customerName: undefined,
        phone: undefined,
        locale: undefined,
        couponCodes: undefined,
        lines: [],
        rejected: [],
        conflicts: [],
      };
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
      customerPhone: this.label('phone'),
    };
    const column = known[field];
    return column === undefined ? `the order's ${field}` : `column "${column}"`;
  }
}

/** Groups a complete list of row results (the streaming reader feeds an OrderGrouper row by row instead). */
export function groupRows(results: Iterable<RowResult>, columns: ColumnLayout, config: ShopConfig, now: Date, signingKey: string): GroupedOrders {
  const grouper = new OrderGrouper(columns, signingKey);
  for (const result of results) grouper.add(result);
  return grouper.finish(config, now);
}

/** The order's total from its lines (prices already fit the currency), summed in minor units so it is exact. */
function orderTotal(items: readonly { price: number; quantity: number }[], digits: number): number {
  const scale = 10 ** digits;
  const minor = items.reduce((sum, item) => sum + Math.round(item.price * scale) * item.quantity, 0);
  return minor / scale;
}
