/**
 * Wall-clock time in an IANA time zone, computed with the platform's Intl data (no library):
 * what the clock on the wall shows at an instant, and which instants show a given wall time.
 */

/** A wall-clock time to the minute. `month` is 1–12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export const UTC = 'UTC';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The platform's canonical IANA zone names, read once (one call, ~1 ms). */
let canonicalZones: ReadonlySet<string> | undefined;

/**
 * Whether the platform knows this IANA zone name (e.g. "Atlantic/Reykjavik"). A canonical name is looked up in the
 * platform's list; only an alias (e.g. "Asia/Calcutta") is tried on a formatter. The first formatter with a time zone
 * loads ICU's date data, 20–60 ms of CPU (bench/cold-start.ts): a config check at cold start should not pay that for
 * every function, only the ones that compute wall times.
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(timeZone) || isUtc(timeZone)) return true;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function isUtc(timeZone: string | undefined): boolean {
  return timeZone === undefined || timeZone === UTC || timeZone === 'Etc/UTC';
}

/** The wall-clock time shown in `timeZone` at `instantMs` (seconds dropped). */
export function wallTimeAt(instantMs: number, timeZone?: string): WallTime {
  if (timeZone === undefined || isUtc(timeZone)) {
    const d = new Date(instantMs);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
  }
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour') % 24, minute: part('minute') };
}

/** The wall time read as if it were UTC, in ms: a monotonic key for comparing wall times. */
export function wallTimeKey(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
}

/** UTC offset of `timeZone` at an instant, in ms (east of Greenwich positive), to the minute. */
export function offsetAt(instantMs: number, timeZone?: string): number {
  if (timeZone === undefined || isUtc(timeZone)) return 0;
  const minuteStart = Math.floor(instantMs / 60_000) * 60_000;
  return wallTimeKey(wallTimeAt(minuteStart, timeZone)) - minuteStart;
}

function sameWallTime(a: WallTime, b: WallTime): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
}

/**
 * The instants at which `timeZone`'s clocks show `wall`, earliest first: usually one; none when the
 * wall time falls in a daylight-saving gap (clocks spring forward over it); two when it falls in an
 * overlap (clocks fall back and show it twice).
 */
export function instantsOfWallTime(wall: WallTime, timeZone?: string): number[] {
  const key = wallTimeKey(wall);
  if (timeZone === undefined || isUtc(timeZone)) return [key];
  const day = 86_400_000;
  const offsets = new Set([offsetAt(key - day, timeZone), offsetAt(key, timeZone), offsetAt(key + day, timeZone)]);
  const instants = new Set<number>();
  for (const offset of offsets) {
    const candidate = key - offset;
    if (sameWallTime(wallTimeAt(candidate, timeZone), wall)) instants.add(candidate);
  }
  return [...instants].sort((a, b) => a - b);
}

/**
 * For one local calendar day, the single UTC offset in force all day, or undefined if the offset
 * changes during (or around) that day. Lets callers convert a whole day's wall times by arithmetic.
 */
export function uniformOffsetOfDay(year: number, month: number, day: number, timeZone?: string): number | undefined {
  if (timeZone === undefined || isUtc(timeZone)) return 0;
  // Every instant whose local date is this day lies within [midnight − 14 h, midnight + 24 h + 14 h] UTC.
  const midnight = Date.UTC(year, month - 1, day);
  const early = offsetAt(midnight - 14 * 3_600_000, timeZone);
  const middle = offsetAt(midnight + 12 * 3_600_000, timeZone);
  const late = offsetAt(midnight + 38 * 3_600_000, timeZone);
  return early === middle && middle === late ? early : undefined;
}

/**
 * The first instant after `after` (default: any) at which `timeZone`'s clocks show `wall` — the earlier of two in
 * an overlap (clocks fall back), the later one when the earlier is not after `after` — or, when the clocks skip
 * `wall` (a daylight-saving gap), the instant they jump past it: the first minute after it that exists.
 * Quiet hours end and "10:00 in the recipient's time" start here. Undefined when no such instant is after `after`.
 */
export function firstInstantAtOrAfter(wall: WallTime, timeZone: string | undefined, after = Number.NEGATIVE_INFINITY): number | undefined {
  const instants = instantsOfWallTime(wall, timeZone);
  if (instants.length > 0) return instants.find((instant) => instant > after);
  const jump = instantClocksJumpPast(wall, timeZone);
  return jump !== undefined && jump > after ? jump : undefined;
}

/**
 * For a wall time in a gap: the first minute at which the clocks show a later time. In the minutes between
 * `key − the larger offset` and `key − the smaller one` the clocks move forward only, so a binary search finds it.
 */
function instantClocksJumpPast(wall: WallTime, timeZone: string | undefined): number | undefined {
  const key = wallTimeKey(wall);
  const day = 86_400_000;
  const offsets = [offsetAt(key - day, timeZone), offsetAt(key + day, timeZone)];
  let low = Math.floor((key - Math.max(...offsets)) / 60_000);
  let high = Math.ceil((key - Math.min(...offsets)) / 60_000);
  if (wallTimeKey(wallTimeAt(high * 60_000, timeZone)) <= key) return undefined;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (wallTimeKey(wallTimeAt(middle * 60_000, timeZone)) > key) high = middle;
    else low = middle + 1;
  }
  return high * 60_000;
}

/** A wall time written `YYYY-MM-DDTHH:mm` (a send request's `localWallTime`); out-of-range fields roll over as `Date.UTC` rolls them. */
export function parseWallTime(text: string): WallTime {
  const [date = '', time = ''] = text.split('T');
  const [year = 0, month = 0, day = 0] = date.split('-').map(Number);
  const [hour = 0, minute = 0] = time.split(':').map(Number);
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute));
  return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate(), hour: at.getUTCHours(), minute: at.getUTCMinutes() };
}
