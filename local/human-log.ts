/**
 * `npm start`'s terminal log: one short line per HTTP request, email, bus delivery, queue batch and schedule
 * firing (`10:04:12  POST /api/purchases  201  38 ms`), so the URLs printed at "ready" stay readable.
 * `LOG_FORMAT=json npm start` gives the structured JSON lines instead (local-log.ts). It formats the runtime's
 * own log entries only, which carry ids, route keys and counts — never addresses, names or tokens.
 */
import type { LocalLog } from '#local/local-log.ts';

export type HumanLevel = 'DEBUG' | 'INFO' | 'WARN' | 'SILENT';
type Severity = 'debug' | 'info' | 'warn' | 'error';
type Attributes = Record<string, unknown>;

const SEVERITY_RANK: Record<Severity, number> = { debug: 0, info: 1, warn: 2, error: 3 };
/** The least severity each level shows (SILENT: none). */
const LEVEL_RANK: Record<HumanLevel, number> = { DEBUG: 0, INFO: 1, WARN: 2, SILENT: 4 };

const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : (JSON.stringify(value) ?? '');
const ms = (value: unknown): string => (typeof value === 'number' ? `${value} ms` : '');
/** Columns two spaces apart; empty ones dropped. */
const columns = (...parts: string[]): string => parts.filter((part) => part !== '').join('  ');

/** HH:MM:SS of the machine's local time: what a developer compares with their wall clock. */
export function clockTime(at: Date): string {
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * The human line for one runtime log entry, or undefined for entries that would only be noise in a terminal
 * (an event no rule matches, a message put on a queue: their consequences get their own lines). Pure.
 */
export function humanLine(at: Date, severity: Severity, message: string, attributes: Attributes): string | undefined {
  const time = clockTime(at);
  const a = (key: string) => text(attributes[key]);
  if (severity === 'info' || severity === 'debug') {
    switch (message) {
      case 'http request': {
        // The route key ("POST /api/purchases") names the route without the path's tokens.
        const route = a('routeKey') === '$default' || a('routeKey') === '' ? `${a('method')} (no route)` : a('routeKey');
        return columns(time, route, a('status'), ms(attributes.durationMs));
      }
      case 'event delivered':
        return columns(
          time,
          `event ${a('detailType')}`,
          `${a('rule')} → ${a('functionName')}`,
          attributes.attempts === 1 ? '' : `after ${a('attempts')} attempts`,
          ms(attributes.durationMs),
        );
      case 'schedule fired':
        return columns(time, `schedule ${a('schedule')}`, `→ ${a('functionName')}`, ms(attributes.durationMs));
      case 'batch processed':
        return columns(
          time,
          `queue ${a('queue')}`,
          `→ ${a('functionName')}`,
          `${a('messages')} messages${attributes.failed === 0 ? '' : `, ${a('failed')} failed`}`,
          ms(attributes.durationMs),
        );
      case 'email sent':
        return columns(time, `email ${a('kind')}`, `→ customer ${a('customerId')}`);
      case 'event published':
      case 'message sent':
        return undefined;
    }
  }
  const details = Object.entries(attributes).map(([key, value]) => `${key}=${text(value)}`);
  return columns(time, severity.toUpperCase(), message, details.join(' '));
}

export interface HumanLog extends LocalLog {
  /** WARN during the start (only problems), the chosen level once ready. */
  setLevel(level: HumanLevel): void;
}

function attributesOf(extra: readonly unknown[]): Attributes {
  const merged: Attributes = {};
  for (const item of extra) {
    if (item instanceof Error) merged.error = `${item.name}: ${item.message}`;
    else if (typeof item === 'object' && item !== null) Object.assign(merged, item);
    else if (item !== undefined) merged.detail = item;
  }
  return merged;
}

export function createHumanLog(options: { write: (line: string) => void; level: HumanLevel; now?: () => Date }): HumanLog {
  let level = options.level;
  const now = options.now ?? (() => new Date());
  const emit =
    (severity: Severity) =>
    (input: string | object, ...extra: unknown[]): void => {
      if (SEVERITY_RANK[severity] < LEVEL_RANK[level]) return;
      const message = typeof input === 'string' ? input : text(Reflect.get(input, 'message'));
      const attributes = typeof input === 'string' ? attributesOf(extra) : { ...attributesOf([input]), ...attributesOf(extra) };
      Reflect.deleteProperty(attributes, 'message');
      const line = humanLine(now(), severity, message, attributes);
      if (line !== undefined) options.write(line);
    };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    setLevel(next) {
      level = next;
    },
  };
}
