import { describe, expect, it, vi } from 'vitest';
import { quietUntil } from '#shared/campaigns/send-policy.ts';
import { firstInstantAtOrAfter, isValidTimeZone, parseWallTime, type WallTime } from '#shared/schedule/zoned-time.ts';

/** `2026-03-29 02:30` as a WallTime. */
function wall(text: string): WallTime {
  return parseWallTime(text.replace(' ', 'T'));
}

const iso = (instant: number | undefined) => (instant === undefined ? undefined : new Date(instant).toISOString());

describe('firstInstantAtOrAfter: a wall time the clocks skip (spring forward)', () => {
  it('Europe/Copenhagen 29 March 2026: 02:30 does not exist, so 03:00 CEST, the instant the clocks jump (01:00 UTC)', () => {
    expect(iso(firstInstantAtOrAfter(wall('2026-03-29 02:30'), 'Europe/Copenhagen'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(firstInstantAtOrAfter(wall('2026-03-29 02:00'), 'Europe/Copenhagen'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(firstInstantAtOrAfter(wall('2026-03-29 02:59'), 'Europe/Copenhagen'))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('Europe/Copenhagen: the minutes either side of the gap are their own instants', () => {
    expect(iso(firstInstantAtOrAfter(wall('2026-03-29 01:59'), 'Europe/Copenhagen'))).toBe('2026-03-29T00:59:00.000Z');
    expect(iso(firstInstantAtOrAfter(wall('2026-03-29 03:00'), 'Europe/Copenhagen'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(firstInstantAtOrAfter(wall('2026-03-29 03:01'), 'Europe/Copenhagen'))).toBe('2026-03-29T01:01:00.000Z');
  });

  it('Asia/Jerusalem 27 March 2026 (a Friday): 02:15 does not exist, so 03:00 IDT (00:00 UTC)', () => {
    expect(iso(firstInstantAtOrAfter(wall('2026-03-27 02:15'), 'Asia/Jerusalem'))).toBe('2026-03-27T00:00:00.000Z');
  });

  it("Atlantic/Reykjavik has no daylight saving: 02:30 on Copenhagen's spring-forward night is 02:30 UTC", () => {
    expect(iso(firstInstantAtOrAfter(wall('2026-03-29 02:30'), 'Atlantic/Reykjavik'))).toBe('2026-03-29T02:30:00.000Z');
    expect(iso(firstInstantAtOrAfter(wall('2026-03-27 02:15'), 'Atlantic/Reykjavik'))).toBe('2026-03-27T02:15:00.000Z');
  });

  it('a skipped wall time whose jump is not after `after` has no answer', () => {
    expect(firstInstantAtOrAfter(wall('2026-03-29 02:30'), 'Europe/Copenhagen', Date.parse('2026-03-29T01:00:00Z'))).toBeUndefined();
    expect(iso(firstInstantAtOrAfter(wall('2026-03-29 02:30'), 'Europe/Copenhagen', Date.parse('2026-03-29T00:59:00Z')))).toBe('2026-03-29T01:00:00.000Z');
  });
});

describe('firstInstantAtOrAfter: a wall time the clocks show twice (fall back)', () => {
  it('Europe/Copenhagen 25 October 2026: 02:30 is first shown in CEST (00:30 UTC), then in CET (01:30 UTC)', () => {
    expect(iso(firstInstantAtOrAfter(wall('2026-10-25 02:30'), 'Europe/Copenhagen'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(firstInstantAtOrAfter(wall('2026-10-25 02:30'), 'Europe/Copenhagen', Date.parse('2026-10-25T00:30:00Z')))).toBe('2026-10-25T01:30:00.000Z');
    expect(firstInstantAtOrAfter(wall('2026-10-25 02:30'), 'Europe/Copenhagen', Date.parse('2026-10-25T01:30:00Z'))).toBeUndefined();
  });

  it('Asia/Jerusalem 25 October 2026: 01:30 is first shown in IDT (22:30 UTC the day before), then in IST (23:30 UTC)', () => {
    expect(iso(firstInstantAtOrAfter(wall('2026-10-25 01:30'), 'Asia/Jerusalem'))).toBe('2026-10-24T22:30:00.000Z');
    expect(iso(firstInstantAtOrAfter(wall('2026-10-25 01:30'), 'Asia/Jerusalem', Date.parse('2026-10-24T23:00:00Z')))).toBe('2026-10-24T23:30:00.000Z');
  });

  it("Atlantic/Reykjavik shows 02:30 once on Copenhagen's fall-back night", () => {
    expect(iso(firstInstantAtOrAfter(wall('2026-10-25 02:30'), 'Atlantic/Reykjavik'))).toBe('2026-10-25T02:30:00.000Z');
    expect(firstInstantAtOrAfter(wall('2026-10-25 02:30'), 'Atlantic/Reykjavik', Date.parse('2026-10-25T02:30:00Z'))).toBeUndefined();
  });
});

describe('quietUntil over a fall-back night', () => {
  it('ends at the second 02:30 when the first has passed (Copenhagen, quiet 01:00–02:30, now 02:15 CET)', () => {
    // 01:15 UTC is 02:15 CET, the second time the clocks show 02:15; the window ends at the second 02:30 (01:30 UTC).
    expect(quietUntil(new Date('2026-10-25T01:15:00Z'), { start: '01:00', end: '02:30' }, 'Europe/Copenhagen')).toEqual(new Date('2026-10-25T01:30:00Z'));
  });
});

describe('parseWallTime', () => {
  it('reads YYYY-MM-DDTHH:mm', () => {
    expect(parseWallTime('2026-12-01T10:05')).toEqual({ year: 2026, month: 12, day: 1, hour: 10, minute: 5 });
  });
});

describe('isValidTimeZone', () => {
  it('knows canonical zones, their aliases and UTC, and refuses anything else', () => {
    for (const zone of [
      'Atlantic/Reykjavik',
      'Europe/Copenhagen',
      'Asia/Jerusalem',
      'Europe/Helsinki',
      'Asia/Kolkata',
      'Asia/Calcutta',
      'Europe/Kyiv',
      'UTC',
      'Etc/UTC',
    ])
      expect(isValidTimeZone(zone), zone).toBe(true);
    for (const zone of ['', '  ', 'Mars/Olympus_Mons', 'Europe/Reykjavik', 'utc+1']) expect(isValidTimeZone(zone), zone).toBe(false);
  });

  it('checks a canonical zone without building a date formatter (the first one loads ICU date data at cold start)', () => {
    const formatter = vi.spyOn(Intl, 'DateTimeFormat');
    try {
      expect(isValidTimeZone('Pacific/Auckland')).toBe(true);
      expect(formatter).not.toHaveBeenCalled();
    } finally {
      formatter.mockRestore();
    }
  });
});
