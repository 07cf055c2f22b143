/**
 * The in-process Kinship event bus: every event published through the PutEvents endpoint (or `publish`)
 * is matched against each topology `event` trigger with the real EventBridge pattern semantics
 * (shared/events/pattern-matcher.ts) and delivered to that function asynchronously — as EventBridge
 * invokes a Lambda target: fire-and-forget for the publisher, two retries on failure, then dropped
 * (in AWS it would go to the rule target's DLQ) and logged.
 */
import { matchesEventPattern, validateEventPattern, type EventPattern } from '#shared/events/pattern-matcher.ts';
import type { Topology } from '#shared/topology.ts';
import type { LocalLog } from '#local/local-log.ts';
import type { BusEvent } from '#local/put-events-endpoint.ts';

export interface BusRule {
  name: string;
  functionName: string;
  pattern: EventPattern;
  /** The rule's input transformer: when set, the target gets `{ ...input, event }` instead of the event. */
  input: Record<string, string> | undefined;
  /** The bus the rule is on: `kinship` (what handlers publish to) or the account's `default` bus (SES events). */
  bus: BusName;
}

export type BusName = 'kinship' | 'default';

/** What a rule's target receives for a matched event. */
export function targetPayload(rule: BusRule, event: BusEvent): BusEvent | (Record<string, unknown> & { event: BusEvent }) {
  return rule.input ? { ...rule.input, event } : event;
}

export interface Delivery {
  eventId: string;
  detailType: string;
  rule: string;
  functionName: string;
  outcome: 'delivered' | 'failed';
  attempts: number;
  error?: string;
}

export interface LocalEventBus {
  readonly rules: readonly BusRule[];
  /** Routes events to every matching rule of `bus` (default: the Kinship bus); deliveries run in the background. */
  publish(events: BusEvent[], bus?: BusName): void;
  /** Every published event, in order (most recent 1,000). */
  readonly published: readonly BusEvent[];
  /** Finished deliveries, in completion order (most recent 1,000). */
  readonly deliveries: readonly Delivery[];
  /** Resolves when no delivery is in flight (including retries). */
  idle(): Promise<void>;
  busy(): boolean;
  stop(): Promise<void>;
}

/** The topology's `event` triggers as rules; a pattern EventBridge would refuse fails the start. */
export function rulesOf(topology: Topology): BusRule[] {
  return topology.functions.flatMap((fn) =>
    fn.triggers.flatMap((trigger) => {
      if (trigger.kind !== 'event') return [];
      const checked = validateEventPattern(trigger.pattern);
      if (!checked.ok) throw new Error(`Event rule "${trigger.name}" of function "${fn.name}" has an invalid pattern: ${checked.error}`);
      return [{ name: trigger.name, functionName: fn.name, pattern: checked.pattern, input: trigger.input, bus: trigger.bus ?? 'kinship' }];
    }),
  );
}

const KEEP = 1000;

export function createEventBus(options: {
  rules: BusRule[];
  invoke: (functionName: string, payload: unknown) => Promise<unknown>;
  log: LocalLog;
  /** Waits before the retries of a failed delivery (Lambda async invocation retries twice). */
  retryDelaysMs?: number[];
}): LocalEventBus {
  const retryDelays = options.retryDelaysMs ?? [200, 1000];
  const published: BusEvent[] = [];
  const deliveries: Delivery[] = [];
  const inFlight = new Set<Promise<void>>();
  const timers = new Map<NodeJS.Timeout, () => void>();
  let stopped = false;

  const remember = <T>(list: T[], item: T) => {
    list.push(item);
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.set(timer, resolve);
    });

  const deliver = async (rule: BusRule, event: BusEvent): Promise<void> => {
    let attempts = 0;
    for (;;) {
      attempts++;
      const started = performance.now();
      try {
        await options.invoke(rule.functionName, targetPayload(rule, event));
        remember(deliveries, {
          eventId: event.id,
          detailType: event['detail-type'],
          rule: rule.name,
          functionName: rule.functionName,
          outcome: 'delivered',
          attempts,
        });
        options.log.info('event delivered', {
          eventId: event.id,
          detailType: event['detail-type'],
          rule: rule.name,
          functionName: rule.functionName,
          attempts,
          durationMs: Math.round(performance.now() - started),
        });
        return;
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        const delay = retryDelays[attempts - 1];
        if (delay === undefined || stopped) {
          remember(deliveries, {
            eventId: event.id,
            detailType: event['detail-type'],
            rule: rule.name,
            functionName: rule.functionName,
            outcome: 'failed',
            attempts,
            error: message,
          });
          options.log.error('event delivery failed; dropped after retries', {
            eventId: event.id,
            detailType: event['detail-type'],
            rule: rule.name,
            functionName: rule.functionName,
            attempts,
          });
          return;
        }
        options.log.warn('event delivery failed; retrying', {
          eventId: event.id,
          rule: rule.name,
          functionName: rule.functionName,
          attempts,
          retryInMs: delay,
        });
        await sleep(delay);
      }
    }
  };

  return {
    rules: options.rules,
    published,
    deliveries,
    publish(events, bus = 'kinship') {
      for (const event of events) {
        remember(published, event);
        const targets = options.rules.filter((rule) => rule.bus === bus && matchesEventPattern(rule.pattern, event));
        options.log.info('event published', { eventId: event.id, source: event.source, detailType: event['detail-type'], rules: targets.map((r) => r.name) });
        if (stopped && targets.length > 0) {
          options.log.warn('event not delivered: the runtime is stopping', {
            eventId: event.id,
            detailType: event['detail-type'],
            rules: targets.map((r) => r.name),
          });
          continue;
        }
        for (const rule of targets) {
          const delivery = deliver(rule, event).finally(() => inFlight.delete(delivery));
          inFlight.add(delivery);
        }
      }
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    busy: () => inFlight.size > 0,
    async stop() {
      stopped = true;
      // Cut retry waits short: the pending deliveries give up at once.
      for (const [timer, wake] of timers) {
        clearTimeout(timer);
        wake();
      }
      timers.clear();
      await this.idle();
    },
  };
}
