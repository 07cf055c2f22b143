import { describe, expect, it } from 'vitest';
import {
  checkScheduleExpression,
  fireTimesBetween,
  nextFireTime,
  parseScheduleExpression,
  ScheduleExpressionError,
  type ScheduleExpression,
} from '#shared/schedule/schedule-expression.ts';
import { instantsOfWallTime } from '#shared/schedule/zoned-time.ts';

const at = (iso: string) => new Date(iso);
const iso = (date: Date | undefined) => date?.toISOString();

function next(expression: string, after: string, options: { timezone?: string; startDate?: string } = {}): string | undefined {
  return iso(
    nextFireTime(parseScheduleExpression(expression), at(after), {
      timezone: options.timezone,
      startDate: options.startDate ? at(options.startDate) : undefined,
    }),
  );
}

function firesBetween(expression: string, after: string, until: string, timezone?: string): (string | undefined)[] {
  return fireTimesBetween(parseScheduleExpression(expression), at(after), at(until), { timezone }).map(iso);
}

function rejection(expression: string): string {
  try {
    parseScheduleExpression(expression);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) return error.message;
    throw error;
  }
  throw new Error(`${expression} was accepted`);
}

describe('rate expressions', () => {
  it('parses singular and plural units into fixed intervals', () => {
    expect(parseScheduleExpression('rate(1 hour)')).toMatchObject({ kind: 'rate', value: 1, unit: 'hours', intervalMs: 3_600_000 });
    expect(parseScheduleExpression('rate(15 minutes)')).toMatchObject({ kind: 'rate', intervalMs: 900_000 });
    expect(parseScheduleExpression(' rate(7 days) ')).toMatchObject({ kind: 'rate', intervalMs: 7 * 86_400_000 });
  });

  it('rejects a plural unit for 1, a singular unit above 1, zero, fractions and unknown units', () => {
    expect(rejection('rate(1 hours)')).toMatch(/singular.*rate\(1 hour\)/);
    expect(rejection('rate(5 minute)')).toMatch(/plural.*rate\(5 minutes\)/);
    expect(rejection('rate(0 minutes)')).toMatch(/at least 1/);
    expect(rejection('rate(1.5 hours)')).toMatch(/whole number/);
    expect(rejection('rate(2 weeks)')).toMatch(/minute\(s\), hour\(s\) or day\(s\)/);
    expect(rejection('rate(hour)')).toMatch(/value and a unit/);
  });

  it('fires at the start date and every interval after it', () => {
    const start = '2026-11-25T12:00:00.000Z';
    expect(next('rate(1 hour)', '2026-11-25T11:59:59.999Z', { startDate: start })).toBe(start);
    expect(next('rate(1 hour)', start, { startDate: start })).toBe('2026-11-25T13:00:00.000Z');
    expect(next('rate(15 minutes)', '2026-11-25T12:20:00.000Z', { startDate: start })).toBe('2026-11-25T12:30:00.000Z');
  });

  it('counts a day as 24 hours even across a daylight-saving change', () => {
    // Copenhagen springs forward on 2026-03-29: the wall-clock time moves, the interval does not.
    expect(next('rate(1 day)', '2026-03-28T10:00:00.000Z', { startDate: '2026-03-28T10:00:00.000Z', timezone: 'Europe/Copenhagen' })).toBe(
      '2026-03-29T10:00:00.000Z',
    );
  });

  it('without a start date fires one interval after the given time', () => {
    expect(next('rate(2 hours)', '2026-11-25T12:34:00.000Z')).toBe('2026-11-25T14:34:00.000Z');
  });
});

describe('cron expressions: fields', () => {
  it('fires daily at a fixed UTC time, strictly after the given instant', () => {
    expect(next('cron(0 10 * * ? *)', '2026-11-25T09:00:00Z')).toBe('2026-11-25T10:00:00.000Z');
    expect(next('cron(0 10 * * ? *)', '2026-11-25T10:00:00Z')).toBe('2026-11-26T10:00:00.000Z');
  });

  it('expands increments from a start value, from *, and within a range', () => {
    expect(firesBetween('cron(0/15 10 * * ? *)', '2026-11-25T09:59:00Z', '2026-11-25T10:59:00Z')).toEqual(
      ['10:00', '10:15', '10:30', '10:45'].map((t) => `2026-11-25T${t}:00.000Z`),
    );
    expect(firesBetween('cron(5/20 10 * * ? *)', '2026-11-25T09:59:00Z', '2026-11-25T10:59:00Z')).toEqual(
      ['10:05', '10:25', '10:45'].map((t) => `2026-11-25T${t}:00.000Z`),
    );
    expect(firesBetween('cron(*/30 10 * * ? *)', '2026-11-25T09:59:00Z', '2026-11-25T10:59:00Z')).toEqual(
      ['10:00', '10:30'].map((t) => `2026-11-25T${t}:00.000Z`),
    );
    expect(firesBetween('cron(10-40/10 10 * * ? *)', '2026-11-25T09:59:00Z', '2026-11-25T10:59:00Z')).toEqual(
      ['10:10', '10:20', '10:30', '10:40'].map((t) => `2026-11-25T${t}:00.000Z`),
    );
  });

  it('combines lists, weekday ranges and names (case-insensitive), skipping the weekend', () => {
    // 2026-11-27 is a Friday.
    expect(next('cron(0 9,17 ? * MON-FRI *)', '2026-11-27T17:30:00Z')).toBe('2026-11-30T09:00:00.000Z');
    expect(next('cron(0 9,17 ? * mon-fri *)', '2026-11-27T10:00:00Z')).toBe('2026-11-27T17:00:00.000Z');
    expect(next('cron(0 12 ? * 1,7 *)', '2026-11-27T00:00:00Z')).toBe('2026-11-28T12:00:00.000Z');
  });

  it('uses month names and skips months not listed', () => {
    expect(next('cron(0 8 1 JAN,JUL ? *)', '2026-01-01T08:00:00Z')).toBe('2026-07-01T08:00:00.000Z');
    expect(next('cron(0 8 1 */6 ? *)', '2026-01-01T08:00:00Z')).toBe('2026-07-01T08:00:00.000Z');
  });

  it('skips months that do not have the requested day', () => {
    expect(next('cron(0 0 31 * ? *)', '2026-04-01T00:00:00Z')).toBe('2026-05-31T00:00:00.000Z');
    expect(next('cron(0 0 29 2 ? *)', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });

  it('honours the year field and stops after the last year', () => {
    expect(next('cron(0 0 1 1 ? 2027)', '2026-06-01T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('cron(0 0 1 1 ? 2027)', '2027-01-01T00:00:00Z')).toBeUndefined();
    expect(next('cron(0 0 1 1 ? 2026-2030/2)', '2026-01-01T00:00:00Z')).toBe('2028-01-01T00:00:00.000Z');
  });

  it('never fires for a date that does not exist', () => {
    expect(next('cron(0 0 30 2 ? *)', '2026-01-01T00:00:00Z')).toBeUndefined();
  });
});

describe('cron expressions: L, W and #', () => {
  it('L in day-of-month is the last day of each month, leap years included', () => {
    expect(next('cron(0 12 L * ? *)', '2026-01-31T13:00:00Z')).toBe('2026-02-28T12:00:00.000Z');
    expect(next('cron(0 12 L * ? *)', '2028-02-01T00:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
    expect(next('cron(0 12 L * ? *)', '2026-04-01T00:00:00Z')).toBe('2026-04-30T12:00:00.000Z');
  });

  it('LW is the last weekday of the month', () => {
    // 2026-05-31 is a Sunday, so the last weekday is Friday the 29th.
    expect(next('cron(0 8 LW * ? *)', '2026-05-01T00:00:00Z')).toBe('2026-05-29T08:00:00.000Z');
  });

  it('nW is the weekday nearest day n, without leaving the month', () => {
    // 2026-11-15 is a Sunday → Monday the 16th.
    expect(next('cron(0 8 15W * ? *)', '2026-11-01T00:00:00Z')).toBe('2026-11-16T08:00:00.000Z');
    // 2026-08-01 is a Saturday → not Friday 31 July but Monday 3 August.
    expect(next('cron(0 8 1W * ? *)', '2026-07-31T12:00:00Z')).toBe('2026-08-03T08:00:00.000Z');
    // 2026-05-31 is a Sunday and the last day → Friday the 29th, not Monday 1 June.
    expect(next('cron(0 8 31W * ? *)', '2026-05-01T00:00:00Z')).toBe('2026-05-29T08:00:00.000Z');
  });

  it('n#k is the k-th weekday n of the month', () => {
    // December 2026 starts on a Tuesday: the second Tuesday is the 8th.
    expect(next('cron(0 10 ? * 3#2 *)', '2026-11-25T00:00:00Z')).toBe('2026-12-08T10:00:00.000Z');
    expect(next('cron(0 10 ? * TUE#1 *)', '2026-11-25T00:00:00Z')).toBe('2026-12-01T10:00:00.000Z');
  });

  it('nL is the last weekday n of the month, and L alone in day-of-week is Saturday', () => {
    expect(next('cron(0 10 ? * 6L *)', '2026-11-01T00:00:00Z')).toBe('2026-11-27T10:00:00.000Z');
    expect(next('cron(0 10 ? * L *)', '2026-11-25T00:00:00Z')).toBe('2026-11-28T10:00:00.000Z');
  });
});

describe('cron expressions: validation', () => {
  it.each([
    ['cron(0 10 ? * ? *)', /cannot both be \?/],
    ['cron(0 10 * * MON *)', /cannot both be set/],
    ['cron(0 10 * * ?)', /6 fields.*got 5/],
    ['cron(60 10 * * ? *)', /minutes 60 is out of range 0–59/],
    ['cron(0 24 * * ? *)', /hours 24 is out of range 0–23/],
    ['cron(0 10 * 13 ? *)', /month 13 is out of range/],
    ['cron(0 10 * * ? 1969)', /year 1969 is out of range 1970–2199/],
    ['cron(0 10 ? * MON/2 *)', /day-of-week does not allow \/ increments/],
    ['cron(0 10 ? * 3#1,6#3 *)', /only one such expression/],
    ['cron(0 10 ? * 3#6 *)', /occurrence 1–5/],
    ['cron(0 10 20-10 * ? *)', /runs backwards/],
    ['cron(0 10 1,,2 * ? *)', /empty list item/],
    ['cron(0 10 L-2 * ? *)', /L and W stand alone/],
    ['cron(0 10 * FOO ? *)', /month "FOO" is not a value/],
    ['every hour', /not a schedule expression/],
  ])('rejects %s, saying why', (expression, message) => {
    expect(rejection(expression)).toMatch(message);
  });

  it('reports an unknown time zone without throwing', () => {
    expect(checkScheduleExpression('cron(0 10 * * ? *)', 'Europe/Reykjavk')).toEqual({ ok: false, error: expect.stringMatching(/not an IANA time zone/) });
    expect(checkScheduleExpression('cron(0 10 * * ? *)', 'Atlantic/Reykjavik')).toMatchObject({ ok: true });
    expect(checkScheduleExpression('cron(0 10 * *)')).toMatchObject({ ok: false, error: expect.stringMatching(/6 fields/) });
  });
});

describe('time zones and daylight saving time', () => {
  it('evaluates the wall-clock time in the schedule time zone', () => {
    expect(next('cron(0 9 * * ? *)', '2026-11-25T00:00:00Z', { timezone: 'Atlantic/Reykjavik' })).toBe('2026-11-25T09:00:00.000Z');
    expect(next('cron(0 9 * * ? *)', '2026-11-25T00:00:00Z', { timezone: 'Europe/Copenhagen' })).toBe('2026-11-25T08:00:00.000Z');
    expect(next('cron(0 9 * * ? *)', '2026-06-25T00:00:00Z', { timezone: 'Europe/Copenhagen' })).toBe('2026-06-25T07:00:00.000Z');
    expect(next('cron(0 9 * * ? *)', '2026-06-25T00:00:00Z', { timezone: 'Asia/Jerusalem' })).toBe('2026-06-25T06:00:00.000Z');
  });

  it('keeps firing at the same wall-clock time across a DST change', () => {
    expect(firesBetween('cron(0 9 * * ? *)', '2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z', 'Europe/Helsinki')).toEqual([
      '2026-03-28T07:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
    ]);
  });

  it('skips a time that falls in the spring-forward gap', () => {
    // Copenhagen jumps from 02:00 to 03:00 on 2026-03-29: 02:30 does not exist that day.
    expect(firesBetween('cron(30 2 * * ? *)', '2026-03-28T00:00:00Z', '2026-03-30T23:00:00Z', 'Europe/Copenhagen')).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('fires once, at the first occurrence, for a time repeated when clocks fall back', () => {
    // Copenhagen goes from 03:00 CEST back to 02:00 CET on 2026-10-25: 02:30 happens at 00:30Z and 01:30Z.
    expect(instantsOfWallTime({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Copenhagen')).toHaveLength(2);
    expect(firesBetween('cron(30 2 * * ? *)', '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z', 'Europe/Copenhagen')).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
    const everyMinuteOfTwoAm = firesBetween('cron(* 2 * * ? *)', '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z', 'Europe/Copenhagen');
    expect(everyMinuteOfTwoAm).toHaveLength(60);
    expect(everyMinuteOfTwoAm.at(-1)).toBe('2026-10-25T00:59:00.000Z');
  });

  it('crosses a month end in the schedule time zone, not in UTC', () => {
    // 00:30 on 1 December in Helsinki is still 30 November in UTC.
    expect(next('cron(30 0 1 * ? *)', '2026-11-20T00:00:00Z', { timezone: 'Europe/Helsinki' })).toBe('2026-11-30T22:30:00.000Z');
    expect(next('cron(0 23 L * ? *)', '2026-11-20T00:00:00Z', { timezone: 'America/New_York' })).toBe('2026-12-01T04:00:00.000Z');
  });
});

describe('one-time at() expressions', () => {
  it('fires once at the wall-clock time in its time zone', () => {
    const schedule: ScheduleExpression = parseScheduleExpression('at(2026-12-24T18:00:00)');
    expect(iso(nextFireTime(schedule, at('2026-12-01T00:00:00Z'), { timezone: 'Europe/Copenhagen' }))).toBe('2026-12-24T17:00:00.000Z');
    expect(nextFireTime(schedule, at('2026-12-24T17:00:00Z'), { timezone: 'Europe/Copenhagen' })).toBeUndefined();
  });

  it('rejects a date that does not exist', () => {
    expect(rejection('at(2026-02-30T10:00:00)')).toMatch(/not a real date/);
    expect(rejection('at(2026-12-24 18:00)')).toMatch(/at\(yyyy-mm-ddThh:mm:ss\)/);
  });
});
