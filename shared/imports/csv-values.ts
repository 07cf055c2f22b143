/**
 * Reading the values of an order-history CSV: delimiters, numbers and dates as shops' exports write them.
 * Pure functions: each returns undefined (or a reason) for what it cannot read; nothing here throws on input.
 */

export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/**
 * Picks the delimiter of a CSV from its first record (the header): the candidate that occurs most often
 * outside quotes. Ties and a header without any candidate fall back to a comma.
 */
export function detectDelimiter(sample: string): Delimiter {
  const text = sample.startsWith('\ufeff') ? sample.slice(1) : sample;
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && (char === ',' || char === ';' || char === '\t')) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** Readable name of a delimiter for messages and --help. */
export function delimiterName(delimiter: Delimiter): string {
  return delimiter === '\t' ? 'tab' : delimiter;
}

const DECIMAL_POINT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
// With a decimal comma, thousands may be grouped with ".", a space, a no-break space or an apostrophe — only in groups of three.
const DECIMAL_COMMA = /^[+-]?(?:\d{1,3}(?:([. \u00a0\u202f'])\d{3})(?:\1\d{3})*|\d+)?(?:,\d*)?$/;

export type DecimalResult = { ok: true; value: number } | { ok: false; reason: string };

/** Reads a decimal number written with a decimal point (12.50), or with a decimal comma (12,50 or 1.234,50) when `decimalComma` is set. */
export function parseDecimal(text: string, decimalComma: boolean): DecimalResult {
  const value = text.trim().replace(/^\u2212/, '-');
  if (value === '') return { ok: false, reason: 'is empty' };
  if (!decimalComma) {
    if (DECIMAL_POINT.test(value)) return { ok: true, value: Number(value) };
    const hint = value.includes(',') ? ' (if the file writes decimals with a comma, like 12,50, pass --decimal-comma)' : '';
    return { ok: false, reason: `"${clip(value)}" is not a number${hint}` };
  }
  if (/\d/.test(value) && DECIMAL_COMMA.test(value)) {
    return { ok: true, value: Number(value.replace(/[. \u00a0\u202f']/g, '').replace(',', '.')) };
  }
  const hint = /^[+-]?\d*\.\d{1,2}$/.test(value) ? ' (it has a decimal point: drop --decimal-comma if the file writes 12.50)' : '';
  return { ok: false, reason: `"${clip(value)}" is not a number with a decimal comma${hint}` };
}

/** Digits after the decimal separator of a number that parseDecimal accepted ("0.165" → 3, "12" → 0). */
export function decimalPlaces(text: string, decimalComma: boolean): number {
  const value = text.trim();
  const separator = value.lastIndexOf(decimalComma ? ',' : '.');
  return separator < 0 ? 0 : value.length - separator - 1;
}

export const DATE_FORMATS = ['ISO', 'DD.MM.YYYY', 'MM/DD/YYYY', 'YYYY-MM-DD'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export function isDateFormat(value: string): value is DateFormat {
  return DATE_FORMATS.some((f) => f === value);
}

// An optional time (24 h, or 12 h with AM/PM) and an optional zone (Z, +02:00, +0200, +02) after any date format.
const TIME_AND_ZONE = String.raw`(?:[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(AM|PM)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?`;
const DATE_PATTERNS: Record<DateFormat, { pattern: RegExp; order: 'ymd' | 'dmy' | 'mdy' }> = {
  ISO: { pattern: new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})${TIME_AND_ZONE}$`, 'i'), order: 'ymd' },
  'YYYY-MM-DD': { pattern: new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})${TIME_AND_ZONE}$`, 'i'), order: 'ymd' },
  'DD.MM.YYYY': { pattern: new RegExp(String.raw`^(\d{1,2})\.(\d{1,2})\.(\d{4})${TIME_AND_ZONE}$`, 'i'), order: 'dmy' },
  'MM/DD/YYYY': { pattern: new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4})${TIME_AND_ZONE}$`, 'i'), order: 'mdy' },
};

const EXAMPLE: Record<DateFormat, string> = {
  ISO: '2026-03-01T10:00:00Z or 2026-03-01',
  'YYYY-MM-DD': '2026-03-01 or 2026-3-1 10:00',
  'DD.MM.YYYY': '01.03.2026 or 1.3.2026 10:00',
  'MM/DD/YYYY': '03/01/2026 or 3/1/2026 10:00 AM',
};

export type DateResult = { ok: true; iso: string } | { ok: false; reason: string };

/**
 * Reads an order date in the given format, with an optional time and zone, into a UTC ISO timestamp.
 * A date or time without a zone is taken as UTC. Impossible dates (31.02.) are refused, not rolled over.
 */
export function parseOrderDate(text: string, format: DateFormat): DateResult {
  const value = text.trim();
  if (value === '') return { ok: false, reason: 'is empty' };
  const { pattern, order } = DATE_PATTERNS[format];
  const match = pattern.exec(value);
  const fail = (why: string): DateResult => ({ ok: false, reason: `"${clip(value)}" ${why}` });
  if (!match) {
    const hint =
      format === 'ISO' ? `; pass --date-format ${guessFormat(value) ?? 'DD.MM.YYYY|MM/DD/YYYY|YYYY-MM-DD'} if the file writes dates another way` : '';
    return fail(`is not a date in the format ${format} (e.g. ${EXAMPLE[format]})${hint}`);
  }
  const [, a = '', b = '', c = '', hh, mm, ss, fraction, meridiem, zone] = match;
  const [year, month, day] =
    order === 'ymd' ? [Number(a), Number(b), Number(c)] : order === 'dmy' ? [Number(c), Number(b), Number(a)] : [Number(c), Number(a), Number(b)];
  if (year < 1900) return fail('is before 1900');
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return fail('is not a calendar date');
  let hour = hh === undefined ? 0 : Number(hh);
  const minute = mm === undefined ? 0 : Number(mm);
  const second = ss === undefined ? 0 : Number(ss);
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return fail('has an hour outside 1–12 with AM/PM');
    hour = (hour % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return fail('is not a valid time of day');
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (offsetMinutes === undefined) return fail('has an invalid time zone offset');
  const epoch = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  return { ok: true, iso: new Date(epoch).toISOString() };
}

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 18 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A likely --date-format for a value that is not ISO 8601, to put in the reason. */
function guessFormat(value: string): DateFormat | undefined {
  if (/^\d{1,2}\.\d{1,2}\.\d{4}/.test(value)) return 'DD.MM.YYYY';
  if (/^\d{1,2}\/\d{1,2}\/\d{4}/.test(value)) return 'MM/DD/YYYY';
  if (/^\d{4}-\d{1,2}-\d{1,2}/.test(value)) return 'YYYY-MM-DD';
  return undefined;
}

/** Values quoted in reasons are cut short so one odd cell cannot flood the rejects file. */
function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}...` : value;
}
