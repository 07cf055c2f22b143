/**
 * EventBridge Scheduler schedule expressions — `rate(value unit)`, `cron(min hour dom month dow year)` and
 * `at(yyyy-mm-ddThh:mm:ss)` — parsed and validated the way Scheduler does, with next-fire-time
 * computation in an optional IANA time zone. Pure code: the local runtime's scheduler and campaign
 * config validation both use it, so a schedule that validates here is one Scheduler accepts.
 *
 * Semantics (EventBridge Scheduler user guide, "Schedule types"):
 * - cron fields: minutes 0–59, hours 0–23, day-of-month 1–31, month 1–12 or JAN–DEC, day-of-week 1–7 or
 *   SUN–SAT (1 = Sunday), year 1970–2199; `,` lists, `-` ranges, `*` all, `/` increments (not in
 *   day-of-week), `?` any (one of day-of-month / day-of-week must be `?`, the other must not),
 *   `L` last day of month / week, `LW` last weekday of month, `nW` weekday nearest day n (never leaving
 *   the month), `nL` last weekday n of the month, `n#k` k-th weekday n of the month (alone in its field).
 * - Daylight saving time: a cron time that falls in a spring-forward gap is skipped; one that falls in a
 *   fall-back overlap fires once, at its first occurrence.
 * - rate: every `value` minutes/hours/days as fixed durations (a day is 24 h even across DST), counted
 *   from the schedule's start; Scheduler invokes a rate schedule as soon as it starts.
 */
import { instantsOfWallTime, isValidTimeZone, uniformOffsetOfDay, wallTimeAt, type WallTime } from '#shared/schedule/zoned-time.ts';

export type DayOfMonthRule =
  | { kind: 'any' }
  | { kind: 'days'; days: ReadonlySet<number> }
  | { kind: 'last' }
  | { kind: 'lastWeekday' }
  | { kind: 'nearestWeekday'; day: number };

export type DayOfWeekRule =
  | { kind: 'any' }
  /** 1 = Sunday … 7 = Saturday. */
  | { kind: 'weekdays'; weekdays: ReadonlySet<number> }
  | { kind: 'lastInMonth'; weekday: number }
  | { kind: 'nthInMonth'; weekday: number; nth: number };

export interface RateSchedule {
  kind: 'rate';
  expression: string;
  value: number;
  unit: 'minutes' | 'hours' | 'days';
  intervalMs: number;
}

export interface CronSchedule {
  kind: 'cron';
  expression: string;
  /** Sorted ascending. */
  minutes: readonly number[];
  hours: readonly number[];
  months: ReadonlySet<number>;
  years: ReadonlySet<number>;
  lastYear: number;
  dayOfMonth: DayOfMonthRule;
  dayOfWeek: DayOfWeekRule;
}

export interface AtSchedule {
  kind: 'at';
  expression: string;
  wall: WallTime;
  second: number;
}

export type ScheduleExpression = RateSchedule | CronSchedule | AtSchedule;

/** A schedule expression Scheduler would refuse; the message says what is wrong and what to write instead. */
export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}

export interface FireTimeOptions {
  /** IANA zone the expression is evaluated in (Scheduler's ScheduleExpressionTimezone); UTC when absent. */
  timezone?: string | undefined;
  /** Start of the schedule: rate schedules fire at it and every interval after. Without it a rate schedule's next fire is one interval after `after`. */
  startDate?: Date | undefined;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FORMS = 'rate(value unit), cron(minutes hours day-of-month month day-of-week year) or at(yyyy-mm-ddThh:mm:ss)';

/** Parses a schedule expression; throws ScheduleExpressionError naming the problem. */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const text = expression.trim();
  const match = /^(rate|cron|at)\((.*)\)$/s.exec(text);
  const kind = match?.[1];
  const inner = match?.[2]?.trim() ?? '';
  if (kind === 'rate') return parseRate(text, inner);
  if (kind === 'cron') return parseCron(text, inner);
  if (kind === 'at') return parseAt(text, inner);
  throw new ScheduleExpressionError(`"${expression}" is not a schedule expression: write ${FORMS}`);
}

/** Validates an expression and its time zone without throwing: what config validation reports. */
export function checkScheduleExpression(expression: string, timezone?: string): { ok: true; schedule: ScheduleExpression } | { ok: false; error: string } {
  if (timezone !== undefined && !isValidTimeZone(timezone)) {
    return { ok: false, error: `"${timezone}" is not an IANA time zone name (e.g. "Atlantic/Reykjavik", "Europe/Copenhagen", "UTC")` };
  }
  try {
    return { ok: true, schedule: parseScheduleExpression(expression) };
  } catch (error) {
    if (error instanceof ScheduleExpressionError) return { ok: false, error: error.message };
    throw error;
  }
}

/** The first fire time strictly after `after`, or undefined if the schedule never fires again. */
export function nextFireTime(schedule: ScheduleExpression, after: Date, options: FireTimeOptions = {}): Date | undefined {
  const afterMs = after.getTime();
  let next: number | undefined;
  switch (schedule.kind) {
    case 'rate':
      next = nextRateFire(schedule, afterMs, options.startDate?.getTime());
      break;
    case 'cron':
      next = nextCronFire(schedule, afterMs, options.timezone);
      break;
    case 'at': {
      const instant = instantsOfWallTime(schedule.wall, options.timezone)[0];
      next = instant !== undefined && instant + schedule.second * 1000 > afterMs ? instant + schedule.second * 1000 : undefined;
      break;
    }
  }
  return next === undefined ? undefined : new Date(next);
}

/** Fire times in (after, until], in order, at most `limit` of them. */
export function fireTimesBetween(schedule: ScheduleExpression, after: Date, until: Date, options: FireTimeOptions = {}, limit = 10_000): Date[] {
  const times: Date[] = [];
  let cursor = after;
  while (times.length < limit) {
    const next = nextFireTime(schedule, cursor, options);
    if (!next || next.getTime() > until.getTime()) break;
    times.push(next);
    cursor = next;
  }
  return times;
}

// ---------------------------------------------------------------------------------------- rate

function parseRate(expression: string, inner: string): RateSchedule {
  const parts = inner.split(/\s+/);
  const [valueText, unitText] = parts;
  const hint = 'write e.g. rate(1 hour), rate(15 minutes) or rate(7 days)';
  if (parts.length !== 2 || valueText === undefined || unitText === undefined)
    throw new ScheduleExpressionError(`${expression}: a rate needs a value and a unit; ${hint}`);
  if (!/^\d+$/.test(valueText) || Number(valueText) < 1)
    throw new ScheduleExpressionError(`${expression}: the value must be a whole number of at least 1; ${hint}`);
  const value = Number(valueText);
  const unitMatch = /^(minute|hour|day)(s?)$/.exec(unitText);
  const base = unitMatch?.[1];
  if (base === undefined) throw new ScheduleExpressionError(`${expression}: the unit must be minute(s), hour(s) or day(s); ${hint}`);
  const plural = unitMatch?.[2] === 's';
  if (value === 1 && plural) throw new ScheduleExpressionError(`${expression}: use the singular unit for 1: rate(1 ${base})`);
  if (value > 1 && !plural) throw new ScheduleExpressionError(`${expression}: use the plural unit for a value above 1: rate(${value} ${base}s)`);
  const unitMs = base === 'minute' ? MINUTE : base === 'hour' ? 60 * MINUTE : DAY;
  const unit = base === 'minute' ? 'minutes' : base === 'hour' ? 'hours' : 'days';
  return { kind: 'rate', expression, value, unit, intervalMs: value * unitMs };
}

function nextRateFire(rate: RateSchedule, afterMs: number, startMs: number | undefined): number {
  if (startMs === undefined) return afterMs + rate.intervalMs;
  if (afterMs < startMs) return startMs;
  return startMs + (Math.floor((afterMs - startMs) / rate.intervalMs) + 1) * rate.intervalMs;
}

// ------------------------------------------------------------------------------------------ at

function parseAt(expression: string, inner: string): AtSchedule {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(inner);
  if (!match)
    throw new ScheduleExpressionError(
      `${expression}: a one-time schedule is at(yyyy-mm-ddThh:mm:ss), e.g. at(2026-12-24T18:00:00), in the schedule's time zone`,
    );
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined) {
    throw new ScheduleExpressionError(`${expression}: cannot read the date and time`);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new ScheduleExpressionError(`${expression}: ${inner} is not a real date and time`);
  }
  return { kind: 'at', expression, wall: { year, month, day, hour, minute }, second };
}

// ---------------------------------------------------------------------------------------- cron

interface FieldSpec {
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
  steps: boolean;
}

const MINUTES_FIELD: FieldSpec = { label: 'minutes', min: 0, max: 59, steps: true };
const HOURS_FIELD: FieldSpec = { label: 'hours', min: 0, max: 23, steps: true };
const DAY_OF_MONTH_FIELD: FieldSpec = { label: 'day-of-month', min: 1, max: 31, steps: true };
const MONTH_FIELD: FieldSpec = { label: 'month', min: 1, max: 12, names: MONTH_NAMES, steps: true };
const DAY_OF_WEEK_FIELD: FieldSpec = { label: 'day-of-week', min: 1, max: 7, names: WEEKDAY_NAMES, steps: false };
const YEAR_FIELD: FieldSpec = { label: 'year', min: 1970, max: 2199, steps: true };

function parseCron(expression: string, inner: string): CronSchedule {
  const fields = inner === '' ? [] : inner.split(/\s+/);
  const [minuteText, hourText, domText, monthText, dowText, yearText] = fields;
  if (
    fields.length !== 6 ||
    minuteText === undefined ||
    hourText === undefined ||
    domText === undefined ||
    monthText === undefined ||
    dowText === undefined ||
    yearText === undefined
  ) {
    throw new ScheduleExpressionError(
      `${expression}: cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}; e.g. cron(0 9 ? * MON-FRI *)`,
    );
  }
  const fail = (message: string): never => {
    throw new ScheduleExpressionError(`${expression}: ${message}`);
  };
  const domAny = domText === '?';
  const dowAny = dowText === '?';
  if (domAny && dowAny) fail('day-of-month and day-of-week cannot both be ?: set one of them (e.g. * in day-of-month)');
  if (!domAny && !dowAny) fail('day-of-month and day-of-week cannot both be set: use ? in one of them (e.g. cron(0 9 * * ? *) or cron(0 9 ? * MON *))');
  const minutes = parseList(minuteText, MINUTES_FIELD, fail);
  const hours = parseList(hourText, HOURS_FIELD, fail);
  const months = parseList(monthText, MONTH_FIELD, fail);
  const years = parseList(yearText, YEAR_FIELD, fail);
  return {
    kind: 'cron',
    expression,
    minutes,
    hours,
    months: new Set(months),
    years: new Set(years),
    lastYear: Math.max(...years),
    dayOfMonth: domAny ? { kind: 'any' } : parseDayOfMonth(domText, fail),
    dayOfWeek: dowAny ? { kind: 'any' } : parseDayOfWeek(dowText, fail),
  };
}

function parseDayOfMonth(text: string, fail: (message: string) => never): DayOfMonthRule {
  const upper = text.toUpperCase();
  if (upper === 'L') return { kind: 'last' };
  if (upper === 'LW') return { kind: 'lastWeekday' };
  const weekday = /^(\d{1,2})W$/.exec(upper);
  if (weekday) {
    const day = Number(weekday[1]);
    if (day < 1 || day > 31) fail(`day-of-month ${text}: W needs a day from 1 to 31 (e.g. 15W, the weekday nearest the 15th)`);
    return { kind: 'nearestWeekday', day };
  }
  if (/[LW]/.test(upper)) fail(`day-of-month "${text}": L and W stand alone (L, LW or a day followed by W such as 3W), not in lists or ranges`);
  return { kind: 'days', days: new Set(parseList(text, DAY_OF_MONTH_FIELD, fail)) };
}

function parseDayOfWeek(text: string, fail: (message: string) => never): DayOfWeekRule {
  const upper = text.toUpperCase();
  if (upper === 'L') return { kind: 'weekdays', weekdays: new Set([7]) };
  const last = /^([1-7]|[A-Z]{3})L$/.exec(upper);
  if (last?.[1] !== undefined) return { kind: 'lastInMonth', weekday: parseValue(last[1], DAY_OF_WEEK_FIELD, fail) };
  if (upper.includes('#')) {
    const nth = /^([1-7]|[A-Z]{3})#([1-5])$/.exec(upper);
    if (nth?.[1] === undefined || nth[2] === undefined) {
      fail(`day-of-week "${text}": # takes one weekday and an occurrence 1–5 (e.g. 3#2, the second Tuesday), and only one such expression per field`);
    }
    return { kind: 'nthInMonth', weekday: parseValue(nth[1], DAY_OF_WEEK_FIELD, fail), nth: Number(nth[2]) };
  }
  if (upper.includes('L')) fail(`day-of-week "${text}": L stands alone (L, or a weekday followed by L such as 6L, the last Friday)`);
  return { kind: 'weekdays', weekdays: new Set(parseList(text, DAY_OF_WEEK_FIELD, fail)) };
}

/** A field's `,`-list of `*`, values, ranges and increments, as sorted distinct values. */
function parseList(text: string, spec: FieldSpec, fail: (message: string) => never): number[] {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') fail(`${spec.label} "${text}" has an empty list item`);
    const [rangeText = '', stepText, extra] = item.split('/');
    if (extra !== undefined) fail(`${spec.label} "${item}" has more than one /`);
    if (stepText !== undefined && !spec.steps) fail(`${spec.label} does not allow / increments ("${item}")`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (stepText !== undefined && (!/^\d+$/.test(stepText) || step < 1))
      fail(`${spec.label} "${item}": the increment after / must be a whole number of at least 1`);
    let from: number;
    let to: number;
    if (rangeText === '*') {
      from = spec.min;
      to = spec.max;
    } else if (rangeText.includes('-')) {
      const [startText = '', endText = '', more] = rangeText.split('-');
      if (more !== undefined) fail(`${spec.label} "${item}" is not a range like 1-5`);
      from = parseValue(startText, spec, fail);
      to = parseValue(endText, spec, fail);
      if (from > to) fail(`${spec.label} range "${rangeText}" runs backwards: write the smaller value first`);
    } else {
      from = parseValue(rangeText, spec, fail);
      // "5/15" means from 5 to the end of the field in steps of 15.
      to = stepText === undefined ? from : spec.max;
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

function parseValue(text: string, spec: FieldSpec, fail: (message: string) => never): number {
  const upper = text.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(text)) {
    const names = spec.names ? ` or ${spec.names[0]}–${spec.names[spec.names.length - 1]}` : '';
    fail(`${spec.label} "${text}" is not a value (${spec.min}–${spec.max}${names})`);
  }
  const value = Number(text);
  if (value < spec.min || value > spec.max) fail(`${spec.label} ${value} is out of range ${spec.min}–${spec.max}`);
  return value;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday … 7 = Saturday. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function matchesDayOfMonth(rule: DayOfMonthRule, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  switch (rule.kind) {
    case 'any':
      return true;
    case 'days':
      return rule.days.has(day);
    case 'last':
      return day === last;
    case 'lastWeekday': {
      const weekday = weekdayOf(year, month, last);
      return day === (weekday === 1 ? last - 2 : weekday === 7 ? last - 1 : last);
    }
    case 'nearestWeekday': {
      if (rule.day > last) return false;
      const weekday = weekdayOf(year, month, rule.day);
      let target = rule.day;
      // Saturday → the Friday before, Sunday → the Monday after, without leaving the month.
      if (weekday === 7) target = rule.day === 1 ? 3 : rule.day - 1;
      else if (weekday === 1) target = rule.day === last ? rule.day - 2 : rule.day + 1;
      return day === target;
    }
  }
}

function matchesDayOfWeek(rule: DayOfWeekRule, year: number, month: number, day: number): boolean {
  const weekday = weekdayOf(year, month, day);
  switch (rule.kind) {
    case 'any':
      return true;
    case 'weekdays':
      return rule.weekdays.has(weekday);
    case 'lastInMonth':
      return weekday === rule.weekday && day + 7 > daysInMonth(year, month);
    case 'nthInMonth':
      return weekday === rule.weekday && Math.ceil(day / 7) === rule.nth;
  }
}

function nextCronFire(cron: CronSchedule, afterMs: number, timezone: string | undefined): number | undefined {
  const start = wallTimeAt(afterMs, timezone);
  // Begin a day early: around a fall-back overlap the previous local day can still hold later instants.
  let cursor = Date.UTC(start.year, start.month - 1, start.day) - DAY;
  for (;;) {
    const date = new Date(cursor);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    const day = date.getUTCDate();
    if (year > cron.lastYear) return undefined;
    if (!cron.years.has(year)) {
      cursor = Date.UTC(year + 1, 0, 1);
      continue;
    }
    if (!cron.months.has(month)) {
      cursor = Date.UTC(year, month, 1);
      continue;
    }
    if (matchesDayOfMonth(cron.dayOfMonth, year, month, day) && matchesDayOfWeek(cron.dayOfWeek, year, month, day)) {
      const offset = uniformOffsetOfDay(year, month, day, timezone);
      for (const hour of cron.hours) {
        for (const minute of cron.minutes) {
          // A wall time in a DST gap has no instant and is skipped; one in an overlap fires at its first instant only.
          const instant =
            offset !== undefined ? Date.UTC(year, month - 1, day, hour, minute) - offset : instantsOfWallTime({ year, month, day, hour, minute }, timezone)[0];
          if (instant !== undefined && instant > afterMs) return instant;
        }
      }
    }
    cursor += DAY;
  }
}
