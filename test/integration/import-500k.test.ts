import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOrderFile, type ImportRequest } from '#shared/imports/import-orders.ts';
import { aShopConfig } from '#test/support/builders.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

/**
 * A 500,000-row "Online Retail" export built from the small fixture: each copy renames its invoices and customers,
 * and one copy in 20 keeps the fixture's three bad rows (a quantity "abc", an invoice whose lines are 26 minutes
 * apart); the others leave them out. The whole file is checked with a dry run (parse, group, judge: what decides
 * acceptance; a real import of 500k rows takes about 3 minutes on this machine), and a slice is imported for real.
 */
const config = aShopConfig();
const now = new Date('2026-11-25T12:00:00Z');
const BAD_COPY_EVERY = 20;
// Data rows (0-based) of lines 21, 23 and 24 of the fixture: the rows it rejects.
const BAD_ROWS = new Set([19, 21, 22]);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kinship-500k-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Built {
  rows: number;
  copies: number;
  badCopies: number;
}

async function buildFile(path: string, targetRows: number): Promise<Built> {
  const [header = '', ...rows] = (await readFile(join(import.meta.dirname, '..', 'fixtures', 'imports', 'online-retail.csv'), 'utf8')).trimEnd().split('\n');
  const out = createWriteStream(path, { encoding: 'utf8' });
  const closed = new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.once('close', () => resolve());
  });
  let buffer = `${header}\n`;
  const built: Built = { rows: 0, copies: 0, badCopies: 0 };
  for (let copy = 0; built.rows < targetRows; copy++) {
    const bad = copy % BAD_COPY_EVERY === 0;
    rows.forEach((row, index) => {
      if (!bad && BAD_ROWS.has(index)) return;
      const cells = row.split(',');
      // InvoiceNo gets the copy number; CustomerID a prefix, so 17850.0 and 17850 stay one customer within a copy.
      cells[0] = `${cells[0] ?? ''}-${copy}`;
      if ((cells[6] ?? '') !== '') cells[6] = `${copy % 5000}${cells[6] ?? ''}`;
      buffer += `${cells.join(',')}\n`;
      built.rows++;
    });
    built.copies++;
    if (bad) built.badCopies++;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await closed;
  return built;
}

const request = (file: string, dryRun: boolean): ImportRequest => ({ file, dryRun, csv: { decimalComma: false, dateFormat: 'MM/DD/YYYY', columnMap: {} } });

describe('a 500,000-row export built from the fixtures', () => {
  it('accepts at least 99% of the rows that name a customer, and counts the rest by what they are', { timeout: 300_000 }, async () => {
    const file = join(dir, 'online-retail-500k.csv');
    const built = await buildFile(file, 500_000);
    expect(built.rows).toBeGreaterThanOrEqual(500_000);

    const summary = await importOrderFile({ table: undefined, config, signingKey: TEST_SIGNING_KEY, now: () => now }, request(file, true));
    // Per copy: 18 accepted rows in 12 orders, 1 guest order of 2 rows, 1 order with spread times, 4 with no known country.
    expect(summary.counters).toMatchObject({
      rows: built.rows,
      rowsAccepted: 18 * built.copies,
      rowsRejected: 3 * built.badCopies,
      ordersRejected: 2 * built.badCopies,
      ordersWithoutCustomer: built.copies,
      rowsWithoutCustomer: 2 * built.copies,
      linesDefaultCategory: 18 * built.copies,
      ordersTimeSpread: built.copies,
      ordersCountryUnknown: 4 * built.copies,
    });
    const customerRows = summary.counters.rows - summary.counters.rowsWithoutCustomer;
    expect(summary.counters.rowsAccepted / customerRows).toBeGreaterThanOrEqual(0.99);
  });

  it('imports a slice of it into DynamoDB Local with the same counts', { timeout: 120_000 }, async () => {
    const table = await createTestTable('import-slice');
    const file = join(dir, 'online-retail-slice.csv');
    const built = await buildFile(file, 10_000);
    const summary = await importOrderFile({ table, config, signingKey: TEST_SIGNING_KEY, now: () => now, concurrency: 8 }, request(file, false));
    expect(summary.counters).toMatchObject({
      rows: built.rows,
      rowsAccepted: 18 * built.copies,
      rowsRejected: 3 * built.badCopies,
      ordersWritten: 12 * built.copies,
      ordersWithoutCustomer: built.copies,
      ordersTimeSpread: built.copies,
    });
    // Customers with an accepted order in each copy: 17850, 13047, 12583, 12431, 12838, 17511, 14527, 15311 and 18074.
    expect(summary.counters.customers).toBe(9 * built.copies);
  });
});
