import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileFromItem } from '#shared/profiles/customer-profile.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { keys } from '#shared/table/keys.ts';
import { runCli } from '#test/support/run-cli.ts';
import { createTestTable } from '#test/support/test-table.ts';
import { TEST_SIGNING_KEY } from '#test/support/signing-key.ts';

let dir: string;
let table: Awaited<ReturnType<typeof createTestTable>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kinship-cli-'));
  table = await createTestTable('cli-import');
  await writeFile(join(dir, 'shop.yaml'), 'shop:\n  name: Test shop\n  baseCurrency: EUR\n  exchangeRates:\n    DKK: 0.134\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function kinship(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, out, err } = await runCli(args, {
    KINSHIP_CONFIG_DIR: dir,
    DYNAMODB_ENDPOINT: table.endpoint,
    TABLE_NAME: table.name,
    KINSHIP_SIGNING_KEY: TEST_SIGNING_KEY,
  });
  return { code, stdout: out, stderr: err };
}

// Semicolons, decimal commas, day-first dates and Danish headers (no aliases), as a Danish shop's export writes them.
const DANISH = [
  '\ufeffOrdrenr;Dato;E-mail;SKU;Produkt;Kategori;Antal;Pris;Land;Valuta',
  'D-1;01.03.2026 10:00;ole@example.com;TENT;Telt;tents;1;1.499,50;DK;DKK',
  'D-1;01.03.2026 10:00;ole@example.com;SOCK;"Sokker; uld";socks;2;50,00;DK;DKK',
  'D-2;31.02.2026;ole@example.com;MAP;Kort;maps;1;10,00;DK;DKK',
].join('\r\n');

describe('npx kinship import', () => {
  it('imports a file end to end, prints the summary and the rejects file, and is a no-op the second time', async () => {
    const file = join(dir, 'ordrer.csv');
    await writeFile(file, DANISH);
    const args = [
      'import',
      file,
      '--map',
      'orderId=Ordrenr,date=Dato,name=Produkt,category=Kategori',
      '--map',
      'quantity=Antal,price=Pris,country=Land,currency=Valuta',
      '--decimal-comma',
      '--date-format',
      'DD.MM.YYYY',
    ];
    const first = await kinship(args);
    expect(first.stderr).toContain('Writing orders: done');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Imported ${file} into ${table.name} at ${table.endpoint}`);
    expect(first.stdout).toContain(`rows       3 read · 2 accepted · 1 rejected → ${file}.rejects.csv`);
    expect(first.stdout).toContain('orders     2 in the file · 1 recorded · 0 already recorded elsewhere (skipped) · 1 rejected');
    expect(first.stdout).not.toContain('ole@example.com');

    const rejects = await readFile(`${file}.rejects.csv`, 'utf8');
    expect(rejects).toContain('rejected_line;reject_reason;Ordrenr;Dato');
    expect(rejects).toContain('4;"In column ""Dato"", ""31.02.2026"" is not a calendar date.";D-2;31.02.2026;');

    const item = (
      await table.doc.send(
        new GetCommand({ TableName: table.name, Key: keys.profile(customerIdForEmail('ole@example.com', TEST_SIGNING_KEY)), ConsistentRead: true }),
      )
    ).Item;
    // (1,499.50 + 2 × 50.00) DKK × 0.134 = 214.333 EUR, rounded to the cent
    expect(profileFromItem(item ?? {})).toMatchObject({ orderCount: 1, netSpendMinor: 21433, country: 'DK' });

    const again = await kinship(args);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('was already imported');
    expect(again.stdout).toContain('nothing was changed');
  });

  it('exits 2 with a message that says what to do for usage errors', async () => {
    const file = join(dir, 'unmapped.csv');
    await writeFile(file, DANISH);
    const unmapped = await kinship(['import', file]);
    expect(unmapped.code).toBe(2);
    expect(unmapped.stderr).toContain('no column found for orderId, date');
    expect(unmapped.stderr).toContain('Run "npx kinship import --help" for usage.');
    expect((await kinship(['import'])).stderr).toContain('name the CSV file to import');
    expect((await kinship(['import', join(dir, 'missing.csv')])).code).toBe(2);
    expect((await kinship(['import', file, '--date-format', 'DD/MM'])).code).toBe(2);
    expect((await kinship(['import', file, '--map', 'colour=Farve'])).stderr).toContain('unknown field "colour"');
  });

  it('states in the summary what it accepted without asking: guests, default categories, spread times, unknown countries', async () => {
    const file = join(dir, 'online-retail.csv');
    await copyFile(join(import.meta.dirname, '..', 'fixtures', 'imports', 'online-retail.csv'), file);
    const result = await kinship(['import', file, '--date-format', 'MM/DD/YYYY', '--default-category', 'misc']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('guests     1 orders without a customer (2 rows with neither email nor customer id) were skipped, not rejected');
    expect(result.stdout).toContain('category   18 lines had no category and were given "misc"');
    expect(result.stdout).toContain('times      1 orders had lines up to 10 minutes apart; the earliest time was used');
    expect(result.stdout).toContain("countries  4 orders name no country the import knows; those customers' country stays unknown");
    expect((await kinship(['import', file, '--default-category', ' '])).code).toBe(2);
  });

  it('checks a file without touching the table with --dry-run', async () => {
    const file = join(dir, 'dry.csv');
    await writeFile(file, 'order_id,date,email,sku,name,category,qty,price,country\nY-1,2026-01-01,dry@example.com,S,N,c,1,5,IS\n');
    const result = await kinship(['import', file, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing was written to the table (--dry-run)');
    const item = (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.profile(customerIdForEmail('dry@example.com', TEST_SIGNING_KEY)) })))
      .Item;
    expect(item).toBeUndefined();
  });

  it('fails with exit 1 and a next step when the table is not there', async () => {
    const file = join(dir, 'nowhere.csv');
    await writeFile(file, 'order_id,date,email,sku,name,category,qty,price,country\nZ-1,2026-01-01,z@example.com,S,N,c,1,5,IS\n');
    const result = await kinship(['import', file, '--table', 'no-such-table']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does not exist');
  });
});
