import { randomBytes } from 'node:crypto';
import { loadShopConfig } from '#shared/config/shop-config.ts';
import { IMPORT_FIELDS, parseColumnMapping } from '#shared/imports/csv-columns.ts';
import { DEFAULT_CATEGORY } from '#shared/imports/csv-row.ts';
import { DATE_FORMATS, isDateFormat, type Delimiter } from '#shared/imports/csv-values.ts';
import { ImportConflictError, ImportInputError } from '#shared/imports/import-errors.ts';
import { DEFAULT_CONCURRENCY, importOrderFile, type ImportSummary } from '#shared/imports/import-orders.ts';
import type { CliIo, Command } from '../cli-io.ts';
import { createProgress } from '../progress-bar.ts';
import { signingSecretFor } from '../signing-secret.ts';
import { tableOptions, tableOptionsHelp, tableTarget } from '../table-target.ts';
import { parseCommandLine, UsageError } from '../usage-error.ts';

const help = `Usage: npx kinship import <file.csv> [options]

Imports a shop's order history: one CSV row per order line. Orders go into the table exactly once and each
customer's profile (order count, net spend, spend per category and month, first and last purchase) is updated
exactly once per import. Safe to re-run: after a crash or Ctrl-C the same command resumes where it stopped; after
a finished import it reports "already imported" and changes nothing. Orders already recorded through the API or
another import are skipped and never counted twice.

Columns (matched by header name, case, spaces and _-. ignored; other columns are ignored):
  orderId       order_id, order, order number, InvoiceNo, Invoice ...      required (Shopify's Name too)
  date          date, order_date, created_at, InvoiceDate ...             required; rows of an order ≤ 10 min apart
  email         email, customer_email, billing_email ...                  email or customerId column required;
                                                                          rows with neither are guests (skipped)
  customerId    customer_id, customer, customer number ...                used when a row has no email
  sku           sku, product_sku, StockCode, Lineitem sku ...             required
  name          name, product_name, Description, Lineitem name ...        required
  category      category, product_type, department ...                   optional, default --default-category
  quantity      quantity, qty, Lineitem quantity ...                      required, a whole number; negative = returned
  price         price, UnitPrice, Lineitem price, item_cost ...           required, unit price; negative on a refund line;
                                                                          up to 4 more decimals than the currency
  country       country, billing_country ...                              optional: ISO code (IS, ISL) or name in
                                                                          en/is/da/he/fi ("Ísland", "Danmark")
  currency      currency, currency_code                                   optional, default the shop's base currency
  customerName  customer_name, full_name, billing_name ...                optional
  locale        locale, language, lang                                    optional, BCP 47 (is, da-DK)
  couponCodes   coupon, coupon_code, discount_code, promo_code ...        optional, order-level; split on , or ;
  Rows of one order may be anywhere in the file; they must agree on customer and currency, and their times
  may differ by up to 10 minutes (the earliest is the order's).

Options:
  --map <field=Header,...>   name the columns yourself, e.g. --map "orderId=Order No,email=E-mail";
                             may be repeated; fields: ${IMPORT_FIELDS.join(', ')}
  --delimiter <d>            "," ";" or "tab" (default: detected from the header line)
  --decimal-comma            prices are written with a decimal comma: 12,50 or 1.234,50
  --date-format <f>          ${DATE_FORMATS.join(' | ')} (default ISO: 2026-03-01T10:00:00Z,
                             2026-03-01 10:00 or 2026-03-01). Any format may be followed by a time (10:00,
                             10:00:00, 2:05 PM) and a zone (Z, +02:00); without a zone, UTC is assumed
  --default-category <c>     category of lines without one (default "${DEFAULT_CATEGORY}")
  --rejects <path>           where rejected rows go (default <file>.rejects.csv): the original row with its line
                             number and the reason. If any row of an order is rejected, the whole order is.
                             Fix the rows there and import that file: its extra columns are ignored
  --dry-run                  check the file and write the rejects file, without touching the table
  --concurrency <n>          DynamoDB requests in flight (default ${DEFAULT_CONCURRENCY})
  --config-dir <dir>         where shop.yaml is (env KINSHIP_CONFIG_DIR; default ./config)
  -h, --help                 this help

${tableOptionsHelp}
Signing key (it keys the customer ids; not needed with --dry-run): env KINSHIP_SIGNING_KEY; with --aws the secret
  named by SIGNING_KEY_SECRET_ARN; otherwise the local runtime's key in $KINSHIP_STATE_DIR/secrets.json (.kinship/).

The file is read as UTF-8 (a BOM is fine); quoted values may contain delimiters, quotes ("") and line breaks.
The import publishes no PurchaseRecorded events: the orders are history, and an event per order would start
post-purchase campaigns for purchases made long ago. Segments pick the customers up on their next run.

Exit codes: 0 imported (rejected rows, if any, are in the rejects file) or already imported; 1 failed — re-run
the same command to resume; 2 usage error (bad option, or columns that cannot be mapped).
`;

const options = {
  ...tableOptions,
  map: { type: 'string', multiple: true },
  delimiter: { type: 'string' },
  'decimal-comma': { type: 'boolean' },
  'date-format': { type: 'string' },
  'default-category': { type: 'string' },
  rejects: { type: 'string' },
  'dry-run': { type: 'boolean' },
  concurrency: { type: 'string' },
  'config-dir': { type: 'string' },
} as const;

export const importCommand: Command = {
  summary: 'import order history from a CSV file (resumable, with a rejects file)',
  help,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandLine(args, options);
    if (positionals.length !== 1)
      throw new UsageError(positionals.length === 0 ? 'name the CSV file to import' : `expected one file, got ${positionals.length}: ${positionals.join(' ')}`);
    const [file = ''] = positionals;
    const dateFormat = values['date-format'] ?? 'ISO';
    if (!isDateFormat(dateFormat)) throw new UsageError(`--date-format "${dateFormat}" is not one of ${DATE_FORMATS.join(', ')}`);
    const delimiter = delimiterOption(values.delimiter);
    const concurrency = concurrencyOption(values.concurrency);
    const columnMap = inputErrorsAsUsage(() => parseColumnMapping(values.map ?? []));
    const config = loadShopConfig(values['config-dir'] ?? io.env.KINSHIP_CONFIG_DIR);
    const dryRun = values['dry-run'] === true;
    const defaultCategory = values['default-category']?.trim() ?? DEFAULT_CATEGORY;
    if (defaultCategory === '' || defaultCategory.length > 64)
      throw new UsageError(`--default-category "${defaultCategory}": use a name of 1 to 64 characters`);

    const target = dryRun ? undefined : tableTarget(values, io.env);
    const aws = values.aws === true || io.env.KINSHIP_AWS === '1' || io.env.KINSHIP_AWS === 'true';
    // The signing secret keys the customer ids. A dry run writes no id anywhere, so a one-off key does for it.
    const signingKey = dryRun ? randomBytes(32).toString('base64url') : await signingSecretFor(io.env, aws);
    const progress = createProgress(io.stderr);
    const onInterrupt = () => {
      progress.stop();
      io.stderr.write('\nInterrupted. Run the same command again to resume: nothing is counted twice.\n');
      process.exit(130);
    };
    process.once('SIGINT', onInterrupt);
    try {
      await target?.check();
      const summary = await importOrderFile(
        { table: target?.table, config, signingKey, progress, concurrency },
        {
          file,
          csv: { delimiter, decimalComma: values['decimal-comma'] === true, dateFormat, columnMap, defaultCategory },
          rejectsPath: values.rejects,
          dryRun,
        },
      );
      io.stdout.write(formatSummary(summary, target?.description));
      return 0;
    } catch (error) {
      progress.stop();
      if (error instanceof ImportInputError) throw new UsageError(error.message, { cause: error });
      if (error instanceof ImportConflictError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${reason}\nNothing is lost: run the same command again to resume; orders and profiles already written are not counted twice.`, {
        cause: error,
      });
    } finally {
      process.removeListener('SIGINT', onInterrupt);
      target?.close();
    }
  },
};

function delimiterOption(value: string | undefined): Delimiter | undefined {
  if (value === undefined) return undefined;
  if (value === ',' || value === ';') return value;
  if (value === 'tab' || value === '\t' || value === '\\t') return '\t';
  throw new UsageError(`--delimiter "${value}": use ",", ";" or "tab"`);
}

function concurrencyOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--concurrency "${value}": use a whole number from 1 to 256`);
  return n;
}

function inputErrorsAsUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ImportInputError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

const n = (value: number) => value.toLocaleString('en-US');

/** What was accepted without asking: guests skipped, default categories, spread times, unknown countries. */
function notesOf(summary: ImportSummary): string[] {
  const c = summary.counters;
  const notes: string[] = [];
  if (c.ordersWithoutCustomer > 0)
    notes.push(
      `  guests     ${n(c.ordersWithoutCustomer)} orders without a customer (${n(c.rowsWithoutCustomer)} rows with neither email nor customer id) were skipped, not rejected`,
    );
  if (c.linesDefaultCategory > 0) notes.push(`  category   ${n(c.linesDefaultCategory)} lines had no category and were given "${summary.defaultCategory}"`);
  if (c.ordersTimeSpread > 0) notes.push(`  times      ${n(c.ordersTimeSpread)} orders had lines up to 10 minutes apart; the earliest time was used`);
  if (c.ordersCountryUnknown > 0)
    notes.push(`  countries  ${n(c.ordersCountryUnknown)} orders name no country the import knows; those customers' country stays unknown`);
  return notes;
}

/** The human summary on stdout. Counts and ids only — never emails or names. */
export function formatSummary(summary: ImportSummary, where: string | undefined): string {
  const c = summary.counters;
  const seconds = summary.elapsedMs / 1000;
  if (summary.outcome === 'already-imported') {
    return [
      `${summary.file} was already imported${summary.completedAt ? ` on ${summary.completedAt}` : ''} (import ${summary.importId}); nothing was changed.`,
      `  rows       ${n(c.rows)} read · ${n(c.rowsAccepted)} accepted · ${n(c.rowsRejected)} rejected`,
      `  orders     ${n(c.ordersWritten)} recorded by that import · ${n(c.ordersAlreadyRecorded)} were already recorded elsewhere`,
      `  customers  ${n(c.customers)}`,
      '',
    ].join('\n');
  }
  const lines: string[] = [];
  const rejects = summary.rejectsPath ? ` → ${summary.rejectsPath}` : '';
  if (summary.outcome === 'validated') {
    lines.push(`Checked ${summary.file} (delimiter "${summary.delimiter}"); nothing was written to the table (--dry-run).`);
    lines.push(`  rows       ${n(c.rows)} read · ${n(c.rowsAccepted)} accepted · ${n(c.rowsRejected)} rejected${rejects}`);
    lines.push(`  orders     ${n(c.orders)} valid · ${n(c.ordersRejected)} rejected`);
  } else {
    lines.push(`${summary.resumed ? 'Resumed and finished' : 'Imported'} ${summary.file} into ${where ?? 'the table'} (import ${summary.importId}).`);
    lines.push(`  rows       ${n(c.rows)} read · ${n(c.rowsAccepted)} accepted · ${n(c.rowsRejected)} rejected${rejects}`);
    lines.push(
      `  orders     ${n(c.orders + c.ordersRejected)} in the file · ${n(c.ordersWritten)} recorded${summary.ordersFromEarlierRun > 0 ? ` (${n(summary.ordersFromEarlierRun)} by the interrupted run)` : ''} · ${n(c.ordersAlreadyRecorded)} already recorded elsewhere (skipped) · ${n(c.ordersRejected)} rejected`,
    );
    lines.push(
      `  customers  ${n(c.customers)} profiles updated${c.customersAlreadyApplied > 0 ? ` (${n(c.customersAlreadyApplied)} of them by the interrupted run)` : ''}`,
    );
    if (summary.ordersRecordedDifferently.length > 0) {
      lines.push(
        `  note       some skipped orders were recorded with different contents, e.g. ${summary.ordersRecordedDifferently.join(', ')}; the recorded version was kept`,
      );
    }
    for (const other of summary.unfinishedImports) {
      lines.push(
        `  note       some skipped orders belong to import ${other.importId} of ${other.fileName} (started ${other.startedAt}), which never finished: re-run that import to count them`,
      );
    }
  }
  lines.push(...notesOf(summary));
  lines.push(`  time       ${seconds.toFixed(1)} s (${n(Math.round(c.rows / Math.max(seconds, 0.001)))} rows/s)`);
  lines.push('');
  return lines.join('\n');
}
