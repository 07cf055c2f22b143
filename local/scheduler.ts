/**
 * The local EventBridge Scheduler: each topology `schedule` trigger is parsed once (a bad expression or
 * time zone fails the start) and fired from the runtime's clock. `advanceTo` moves the clock forward and
 * fires every schedule that comes due on the way, in time order, awaiting each target — so a test can jump
 * a week ahead and see the same sequence of invocations production would have made.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { checkScheduleExpression, nextFireTime, type ScheduleExpression } from '#shared/schedule/schedule-expression.ts';
import type { Topology } from '#shared/topology.ts';
import type { Clock } from '#local/clock.ts';
import type { LocalAws } from '#local/functions.ts';
import type { LocalLog } from '#local/local-log.ts';

export interface ScheduleEntry {
  name: string;
  functionName: string;
  expression: string;
  timezone: string | undefined;
  schedule: ScheduleExpression;
  /** Scheduler's target input: when set, the function gets `{ ...input, scheduledTime }` instead of the scheduled event. */
  input: Record<string, string> | undefined;
}

export interface Firing {
  schedule: string;
  functionName: string;
  scheduledTime: string;
  outcome: 'succeeded' | 'failed';
  error?: string;
}

export interface LocalScheduler {
  readonly schedules: readonly ScheduleEntry[];
  /** When each schedule fires next (undefined: never again). */
  upcoming(): { schedule: string; at: Date | undefined }[];
  /** Moves the clock to `date`, firing due schedules in order; resolves with what fired. */
  advanceTo(date: Date): Promise<Firing[]>;
  /**
   * Jumps the clock to `date` the way a laptop wakes from sleep: each schedule that missed occurrences in
   * between fires once, for its latest missed time (the segmenter recomputes as of then; the due-send
   * dispatcher drains everything due), then they carry on from `date`. For demos over weeks of shop time.
   */
  jumpTo(date: Date): Promise<Firing[]>;
  /** Every firing so far (most recent 1,000). */
  readonly firings: readonly Firing[];
  /** Fires due schedules as real time passes (npm start); tests leave it off and call advanceTo. */
  startTicking(intervalMs?: number): void;
  stop(): Promise<void>;
}

export function schedulesOf(topology: Topology): ScheduleEntry[] {
  return topology.functions.flatMap((fn) =>
    fn.triggers.flatMap((trigger) => {
      if (trigger.kind !== 'schedule') return [];
      const checked = checkScheduleExpression(trigger.expression, trigger.timezone);
      if (!checked.ok) throw new Error(`Schedule "${trigger.name}" of function "${fn.name}": ${checked.error}`);
      return [
        {
          name: trigger.name,
          functionName: fn.name,
          expression: trigger.expression,
          timezone: trigger.timezone,
          schedule: checked.schedule,
          input: trigger.input,
        },
      ];
    }),
  );
}

/** A schedule's own input with `<aws.scheduler.scheduled-time>` filled in, as the CDK stack configures the target. */
export type ScheduledInput = Record<string, string> & { scheduledTime: string };

/** What a scheduled invocation carries: the schedule's input if it has one, else the scheduled event. */
export function scheduledPayload(entry: ScheduleEntry, scheduledTime: Date, aws: LocalAws): ScheduledEvent | ScheduledInput {
  return entry.input ? { ...entry.input, scheduledTime: scheduledTime.toISOString() } : scheduledEvent(entry, scheduledTime, aws);
}

/** The event a scheduled invocation carries: `time` is the scheduled time, not when the handler ran. */
export function scheduledEvent(entry: ScheduleEntry, scheduledTime: Date, aws: LocalAws): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: aws.accountId,
    time: scheduledTime.toISOString(),
    region: aws.region,
    resources: [`arn:aws:scheduler:${aws.region}:${aws.accountId}:schedule/default/${entry.name}`],
    detail: {},
  };
}

export function createScheduler(options: {
  schedules: ScheduleEntry[];
  clock: Clock;
  aws: LocalAws;
  invoke: (functionName: string, event: ScheduledEvent | ScheduledInput) => Promise<unknown>;
  log: LocalLog;
}): LocalScheduler {
  const { clock } = options;
  const startedAt = clock.now();
  const firings: Firing[] = [];
  // Rate schedules start now and fire at once (as Scheduler does without a StartDate); cron ones fire at their next time.
  const next = new Map<string, Date | undefined>(
    options.schedules.map((entry) => [
      entry.name,
      entry.schedule.kind === 'rate' ? startedAt : nextFireTime(entry.schedule, startedAt, { timezone: entry.timezone }),
    ]),
  );
  let chain: Promise<unknown> = Promise.resolve();
  let ticker: NodeJS.Timeout | undefined;
  let stopped = false;

  /** Invokes the schedule's function and keeps the firing in the (bounded) history. */
  const fire = async (entry: ScheduleEntry, at: Date): Promise<Firing> => {
    const firing = await invokeFor(entry, at);
    firings.push(firing);
    if (firings.length > 1000) firings.splice(0, firings.length - 1000);
    return firing;
  };

  const invokeFor = async (entry: ScheduleEntry, at: Date): Promise<Firing> => {
    const scheduledTime = at.toISOString();
    const started = performance.now();
    try {
      await options.invoke(entry.functionName, scheduledPayload(entry, at, options.aws));
      options.log.info('schedule fired', {
        schedule: entry.name,
        functionName: entry.functionName,
        scheduledTime,
        durationMs: Math.round(performance.now() - started),
      });
      return { schedule: entry.name, functionName: entry.functionName, scheduledTime, outcome: 'succeeded' };
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      options.log.error('scheduled invocation failed', { schedule: entry.name, functionName: entry.functionName, scheduledTime, error: message });
      return { schedule: entry.name, functionName: entry.functionName, scheduledTime, outcome: 'failed', error: message };
    }
  };

  const run = async (target: Date): Promise<Firing[]> => {
    const fired: Firing[] = [];
    for (;;) {
      // The earliest due schedule; ties go to the one declared first.
      let due: { entry: ScheduleEntry; at: Date } | undefined;
      for (const entry of options.schedules) {
        const at = next.get(entry.name);
        if (at && at.getTime() <= target.getTime() && (!due || at.getTime() < due.at.getTime())) due = { entry, at };
      }
      if (!due || stopped) break;
      clock.advanceTo(due.at);
      const firing = await fire(due.entry, due.at);
      fired.push(firing);
      next.set(due.entry.name, nextFireTime(due.entry.schedule, due.at, { timezone: due.entry.timezone, startDate: startedAt }));
    }
    clock.advanceTo(target);
    return fired;
  };

  const advanceTo = (date: Date): Promise<Firing[]> => {
    const result = chain.then(() => run(date));
    chain = result.catch(() => undefined);
    return result;
  };

  const jump = async (target: Date): Promise<Firing[]> => {
    const missed: { entry: ScheduleEntry; at: Date }[] = [];
    for (const entry of options.schedules) {
      let latest: Date | undefined;
      // Walk to the last occurrence at or before the target (bounded: a rate schedule is skipped ahead by arithmetic).
      let at = next.get(entry.name);
      if (at && entry.schedule.kind === 'rate' && at.getTime() <= target.getTime()) {
        const steps = Math.floor((target.getTime() - at.getTime()) / entry.schedule.intervalMs);
        at = new Date(at.getTime() + steps * entry.schedule.intervalMs);
      }
      for (let guard = 0; at && at.getTime() <= target.getTime() && guard < 100_000; guard++) {
        latest = at;
        at = nextFireTime(entry.schedule, at, { timezone: entry.timezone, startDate: startedAt });
      }
      next.set(entry.name, at);
      if (latest) missed.push({ entry, at: latest });
    }
    clock.advanceTo(target);
    const fired: Firing[] = [];
    for (const { entry, at } of missed.sort((a, b) => a.at.getTime() - b.at.getTime())) {
      if (stopped) break;
      const firing = await fire(entry, at);
      fired.push(firing);
    }
    return fired;
  };

  const jumpTo = (date: Date): Promise<Firing[]> => {
    const result = chain.then(() => jump(date));
    chain = result.catch(() => undefined);
    return result;
  };

  return {
    schedules: options.schedules,
    firings,
    upcoming: () => options.schedules.map((entry) => ({ schedule: entry.name, at: next.get(entry.name) })),
    advanceTo,
    jumpTo,
    startTicking(intervalMs = 1000) {
      if (ticker || stopped) return;
      const tick = () => {
        void advanceTo(clock.now()).finally(() => {
          if (!stopped) ticker = setTimeout(tick, intervalMs);
        });
      };
      ticker = setTimeout(tick, 0);
    },
    async stop() {
      stopped = true;
      clearTimeout(ticker);
      await chain;
    },
  };
}
