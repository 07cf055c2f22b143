import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse';
import { ImportInputError } from '#shared/imports/import-errors.ts';
import { detectDelimiter, type Delimiter } from '#shared/imports/csv-values.ts';
import { isBlankRecord } from '#shared/imports/csv-row.ts';

/** File I/O of the import: hashing, streaming records out of a CSV, and writing the rejects file. */

export interface FileFingerprint {
  sha256: string;
  bytes: number;
}

const READ_CHUNK = 1024 * 1024;
/**
 * The longest row read (characters). A real order line is well under a few KB; without a bound, one unclosed quote
 * or a file that is not CSV at all would be buffered whole as one record.
 */
export const MAX_RECORD_CHARS = 128 * 1024;

/** SHA-256 of the file's bytes — the import's identity, so a re-run of the same file is recognised. */
export async function fingerprintFile(path: string, onBytes?: (bytesRead: number) => void): Promise<FileFingerprint> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) {
    if (!Buffer.isBuffer(chunk)) continue;
    hash.update(chunk);
    bytes += chunk.length;
    onBytes?.(bytes);
  }
  return { sha256: hash.digest('hex'), bytes };
}

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    throw new ImportInputError(`cannot read ${path}: no such file`);
  }
}

/** Detects the delimiter from the file's first record. */
export async function sniffDelimiter(path: string): Promise<Delimiter> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return detectDelimiter(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

export interface CsvRecord {
  record: string[];
  /** 1-based line where the record starts (a quoted value may span lines). */
  line: number;
  /** Bytes of the file consumed so far, for progress. */
  bytes: number;
}

/**
 * Streams the records of a CSV file: UTF-8 with or without a BOM, quoted fields (with "" escapes and line
 * breaks), any mix of CRLF / LF line endings. Blank lines are skipped. Rows with a wrong number of fields are
 * still yielded so they can be rejected with a reason. Malformed quoting that makes the rest of the file
 * unreadable stops the import with the line number.
 */
export async function* readCsvRecords(path: string, delimiter: Delimiter): AsyncGenerator<CsvRecord> {
  const parser = parse({
    delimiter,
    bom: true,
    info: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: MAX_RECORD_CHARS,
  });
  const input = createReadStream(path, { highWaterMark: READ_CHUNK });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const item of parser) {
      const parsed = recordOf(item);
      if (!parsed || isBlankRecord(parsed.record)) continue;
      yield parsed;
    }
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === 'number' ? ` near line ${error.lines}` : '';
      throw new ImportInputError(`${path} is not readable as CSV${line}: ${describeCsvError(error.code)}`);
    }
    throw error;
  } finally {
    input.destroy();
  }
}

function recordOf(item: unknown): CsvRecord | undefined {
  if (typeof item !== 'object' || item === null || !('record' in item) || !('info' in item)) return undefined;
  const { record, info } = item;
  if (!Array.isArray(record) || typeof info !== 'object' || info === null || !('lines' in info) || !('bytes' in info)) return undefined;
  const cells = record.map(String);
  const endLine = typeof info.lines === 'number' ? info.lines : 0;
  let breaks = 0;
  for (const cell of cells) for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) breaks++;
  return { record: cells, line: endLine - breaks, bytes: typeof info.bytes === 'number' ? info.bytes : 0 };
}

function describeCsvError(code: string): string {
  if (code === 'CSV_QUOTE_NOT_CLOSED') return 'a quoted value is never closed (a stray " character?)';
  if (code === 'CSV_INVALID_CLOSING_QUOTE') return 'a quoted value is followed by text before the next delimiter';
  if (code === 'CSV_MAX_RECORD_SIZE') return `a row is longer than ${MAX_RECORD_CHARS / 1024} KB (a quote never closed, or not an order export?)`;
  return code;
}

/** Column prepended to rejected rows: where the row was. */
export const REJECT_LINE_COLUMN = 'rejected_line';
/** Column prepended to rejected rows: why it was rejected. */
export const REJECT_REASON_COLUMN = 'reject_reason';

/**
 * Writes the rejects file: the original header and each rejected row as it was (same delimiter), with two
 * leading columns, `rejected_line` and `reject_reason`. The import ignores columns it does not know, so a
 * corrected rejects file can be imported as it is. Reads the source file once more rather than keeping every
 * row in memory for the rare case that some are rejected. With no rejected rows, a rejects file left by an
 * earlier run is removed so it cannot be mistaken for this run's.
 */
export async function writeRejectsFile(rejectsPath: string, sourcePath: string, delimiter: Delimiter, rejected: ReadonlyMap<number, string>): Promise<void> {
  if (rejected.size === 0) {
    await removeStaleRejectsFile(rejectsPath);
    return;
  }
  const out = createWriteStream(rejectsPath, { encoding: 'utf8' });
  const write = async (cells: readonly string[]) => {
    if (!out.write(`${cells.map((cell) => quoteCell(neutralizeFormula(cell), delimiter)).join(delimiter)}\r\n`)) await once(out, 'drain');
  };
  const closed = new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.once('close', () => resolve());
  });
  try {
    let header = true;
    for await (const { record, line } of readCsvRecords(sourcePath, delimiter)) {
      if (header) {
        await write([REJECT_LINE_COLUMN, REJECT_REASON_COLUMN, ...record]);
        header = false;
        continue;
      }
      const reason = rejected.get(line);
      if (reason !== undefined) await write([String(line), reason, ...record]);
    }
  } finally {
    out.end();
    await closed;
  }
}

async function removeStaleRejectsFile(rejectsPath: string): Promise<void> {
  try {
    const handle = await open(rejectsPath, 'r');
    const head = Buffer.alloc(REJECT_LINE_COLUMN.length);
    try {
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
    if (head.toString('utf8') === REJECT_LINE_COLUMN) await unlink(rejectsPath);
  } catch {
    // No earlier rejects file: nothing to remove.
  }
}

/** RFC 4180 quoting: only where needed, so untouched rows look as they did in the source. */
/**
 * A rejects file is opened in a spreadsheet to be fixed, and a spreadsheet runs a cell that starts with `=`, `+`, `-`,
 * `@`, a tab or a carriage return as a formula (CSV injection). Such a cell gets a leading `'`, which spreadsheets
 * show as text; plain numbers (`-3`, `+354 555 1234` is not one) stay as they are, so negative quantities and
 * refund prices survive a round trip.
 */
export function neutralizeFormula(value: string): string {
  if (!/^[=+\-@\t\r]/.test(value)) return value;
  return /^[+-]?\d+(?:[.,]\d+)?$/.test(value) ? value : `'${value}`;
}

export function quoteCell(value: string, delimiter: Delimiter): string {
  if (value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r')) return `"${value.replaceAll('"', '""')}"`;
  return value;
}
