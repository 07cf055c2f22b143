import { describe, expect, it } from 'vitest';
import type { Topology } from '#shared/topology.ts';
import { createClock, parseClockStart } from '#local/clock.ts';
import { silentLog } from '#local/local-log.ts';
import { createScheduler, schedulesOf } from '#local/scheduler.ts';

const aws = { region: 'eu-west-1', accountId: '000000000000' };

function topologyWith(...schedules: { name: string; expression: string; timezone?: string }[]): Topology {
  return {
    functions: schedules.map((s) => ({
      name: `fn-${s.name}`,
      feature: 'test',
      description: s.name,
      memoryMb: 128,
      timeoutSeconds: 5,
      access: {},
      triggers: [{ kind: 'schedule', ...s }],
    })),
    queues: [],
  };
}

/** The `time` of a scheduled event, or the `scheduledTime` of a schedule with its own input. */
function firedAt(payload: unknown): string {
  const time: unknown = typeof payload === 'object' && payload !== null ? (Reflect.get(payload, 'scheduledTime') ?? Reflect.get(payload, 'time')) : undefined;
  if (typeof time !== 'string') throw new Error('no scheduled time in the payload');
  return time;
}

function schedulerFor(topology: Topology, start: string, invoke: (name: string, payload: unknown) => Promise<unknown> = async () => undefined) {
  const clock = createClock({ mode: 'manual', start: new Date(start) });
  return { clock, scheduler: createScheduler({ schedules: schedulesOf(topology), clock, aws, invoke, log: silentLog }) };
}

describe('local scheduler', () => {
  it('computes the next cron fire time from the overridden clock, in the schedule’s time zone', () => {
    const { scheduler } = schedulerFor(
      topologyWith({ name: 'utc', expression: 'cron(0 9 * * ? *)' }, { name: 'copenhagen', expression: 'cron(0 9 * * ? *)', timezone: 'Europe/Copenhagen' }),
      '2027-03-01T08:30:00Z',
    );
    expect(scheduler.upcoming().map((u) => [u.schedule, u.at?.toISOString()])).toEqual([
      ['utc', '2027-03-01T09:00:00.000Z'],
      ['copenhagen', '2027-03-02T08:00:00.000Z'],
    ]);
  });

  it('fires every due schedule in time order, with `time` set to the scheduled time, and moves the clock to the target', async () => {
    const calls: [string, string][] = [];
    const { clock, scheduler } = schedulerFor(
      topologyWith({ name: 'hourly', expression: 'cron(0 * * * ? *)' }, { name: 'half-past', expression: 'cron(30 * * * ? *)' }),
      '2026-12-01T10:10:00Z',
      async (name, payload) => void calls.push([name, firedAt(payload)]),
    );
    const fired = await scheduler.advanceTo(new Date('2026-12-01T12:00:00Z'));
    expect(calls).toEqual([
      ['fn-half-past', '2026-12-01T10:30:00.000Z'],
      ['fn-hourly', '2026-12-01T11:00:00.000Z'],
      ['fn-half-past', '2026-12-01T11:30:00.000Z'],
      ['fn-hourly', '2026-12-01T12:00:00.000Z'],
    ]);
    expect(fired.every((f) => f.outcome === 'succeeded')).toBe(true);
    expect(clock.now().toISOString()).toBe('2026-12-01T12:00:00.000Z');
  });

  it('fires a rate schedule at its start and then every interval', async () => {
    const times: string[] = [];
    const { scheduler } = schedulerFor(
      topologyWith({ name: 'rate', expression: 'rate(20 minutes)' }),
      '2026-12-01T10:05:00Z',
      async (_, payload) => void times.push(firedAt(payload)),
    );
    await scheduler.advanceTo(new Date('2026-12-01T10:50:00Z'));
    expect(times).toEqual(['2026-12-01T10:05:00.000Z', '2026-12-01T10:25:00.000Z', '2026-12-01T10:45:00.000Z']);
  });

  it('gives a schedule with its own input `{ ...input, scheduledTime }` instead of the scheduled event', async () => {
    const payloads: unknown[] = [];
    const topology = topologyWith({ name: 'newsletter', expression: 'cron(0 10 1 * ? *)' });
    const trigger = topology.functions[0]?.triggers[0];
    if (trigger?.kind === 'schedule') trigger.input = { campaignId: 'monthly' };
    const { scheduler } = schedulerFor(topology, '2026-11-30T00:00:00Z', async (_, payload) => void payloads.push(payload));
    await scheduler.advanceTo(new Date('2026-12-02T00:00:00Z'));
    expect(payloads).toEqual([{ campaignId: 'monthly', scheduledTime: '2026-12-01T10:00:00.000Z' }]);
  });

  it('records a failed invocation and keeps the schedule going', async () => {
    let calls = 0;
    const { scheduler } = schedulerFor(topologyWith({ name: 'daily', expression: 'cron(0 6 * * ? *)' }), '2026-12-01T00:00:00Z', async () => {
      calls++;
      if (calls === 1) throw new Error('boom');
    });
    const fired = await scheduler.advanceTo(new Date('2026-12-02T07:00:00Z'));
    expect(fired.map((f) => [f.scheduledTime, f.outcome, f.error])).toEqual([
      ['2026-12-01T06:00:00.000Z', 'failed', 'Error: boom'],
      ['2026-12-02T06:00:00.000Z', 'succeeded', undefined],
    ]);
  });

  it('refuses a topology schedule Scheduler would refuse, naming the schedule', () => {
    expect(() => schedulesOf(topologyWith({ name: 'bad', expression: 'cron(0 9 * * * *)' }))).toThrow(/Schedule "bad"/);
  });
});

describe('clock', () => {
  it('a manual clock only moves forward, and tells its listeners', () => {
    const clock = createClock({ mode: 'manual', start: new Date('2026-12-01T00:00:00Z') });
    const seen: string[] = [];
    clock.onAdvance((now) => seen.push(now.toISOString()));
    clock.advanceTo(new Date('2026-12-02T00:00:00Z'));
    clock.advanceTo(new Date('2026-11-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(seen).toEqual(['2026-12-02T00:00:00.000Z']);
  });

  it('a real clock started with --now runs from that instant, not from the wall clock', () => {
    const clock = createClock({ mode: 'real', start: new Date('2030-01-01T00:00:00Z') });
    expect(clock.now().getUTCFullYear()).toBe(2030);
  });

  it('parses --now as an ISO 8601 date-time and explains a bad one', () => {
    expect(parseClockStart('2027-03-01T09:00:00Z', '--now')?.toISOString()).toBe('2027-03-01T09:00:00.000Z');
    expect(parseClockStart(undefined, '--now')).toBeUndefined();
    expect(() => parseClockStart('tomorrow', '--now')).toThrow(/--now must be an ISO 8601 date-time/);
    expect(() => parseClockStart('1700000000', 'KINSHIP_NOW')).toThrow(/KINSHIP_NOW/);
  });
});
