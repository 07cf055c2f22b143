import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createPrng } from '#local/seed-demo-shop.ts';

/**
 * A synthetic order history: one row per order line, ~2.5 lines per order, customers drawn at random (so each
 * customer's orders are spread through the file), 80% EUR / 10% ISK / 10% DKK. It is written the way real exports
 * are, so the bench runs the import's rules for them: countries as names in several languages, 3% returned lines
 * as negative quantities, 5% of lines without a category. Deterministic for a seed, so the baseline and the import
 * see the same data.
 */
export interface SyntheticOptions {
  rows: number;
  customers: number;
  seed?: number;
}

export const SYNTHETIC_HEADER = [
  'order_id',
  'order_date',
  'email',
  'sku',
  'product_name',
  'category',
  'qty',
  'unit_price',
  'country',
  'currency',
  'customer_name',
] as const;

export interface SyntheticRow {
  orderId: string;
  line: number;
  date: string;
  email: string;
  sku: string;
  name: string;
  category: string;
  quantity: number;
  price: string;
  /** A name or code, as exports write it. */
  country: string;
  currency: string;
  customerName: string;
}

const CATEGORIES = ['tents', 'sleeping-bags', 'backpacks', 'jackets', 'boots', 'socks', 'stoves', 'lamps', 'maps', 'gloves', 'hats', 'poles'];
const COUNTRIES = ['Ísland', 'Danmark', 'Suomi', 'ישראל', 'Germany', 'SE', 'NOR', 'United Kingdom'];
const FIRST = new Date('2023-01-01T00:00:00Z').getTime();
const SPAN = new Date('2026-06-30T00:00:00Z').getTime() - FIRST;

export function* syntheticRows(options: SyntheticOptions): Generator<SyntheticRow> {
  const next = createPrng(options.seed ?? 42);
  let rows = 0;
  for (let order = 1; rows < options.rows; order++) {
    const customer = 1 + Math.floor(next() * options.customers);
    const lines = Math.min(1 + Math.floor(next() * 4), options.rows - rows);
    const date = new Date(FIRST + Math.floor((next() * SPAN) / 1000) * 1000).toISOString();
    const roll = next();
    const currency = roll < 0.8 ? 'EUR' : roll < 0.9 ? 'ISK' : 'DKK';
    const country = COUNTRIES[customer % COUNTRIES.length] ?? 'IS';
    for (let line = 1; line <= lines; line++) {
      const product = Math.floor(next() * 500);
      const cents = 500 + Math.floor(next() * 29_500);
      const returned = next() < 0.03 ? -1 : 1;
      const price = currency === 'ISK' ? String(cents * 10) : (cents / 100).toFixed(2);
      yield {
        orderId: `SYN-${order}`,
        line,
        date,
        email: `customer${customer}@example.com`,
        sku: `SKU-${product}`,
        name: `Product ${product}`,
        category: next() < 0.05 ? '' : (CATEGORIES[product % CATEGORIES.length] ?? 'tents'),
        quantity: returned * (1 + Math.floor(next() * 3)),
        price,
        country,
        currency,
        customerName: `Customer ${customer}`,
      };
      rows++;
    }
  }
}

export async function writeSyntheticCsv(path: string, options: SyntheticOptions): Promise<{ rows: number; orders: number }> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const closed = new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.once('close', () => resolve());
  });
  let buffer = `${SYNTHETIC_HEADER.join(',')}\n`;
  let rows = 0;
  let orders = 0;
  for (const row of syntheticRows(options)) {
    if (row.line === 1) orders++;
    buffer += `${row.orderId},${row.date},${row.email},${row.sku},${row.name},${row.category},${row.quantity},${row.price},${row.country},${row.currency},${row.customerName}\n`;
    if (++rows % 5000 === 0) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await closed;
  return { rows, orders };
}
