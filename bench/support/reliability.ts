/**
 * What the reliability scenarios (bench/reliability/<name>.ts) share: recognising a scenario module, bounded
 * concurrency, and tallying HTTP answers so every status is counted and every 5xx or leaked stack trace is kept.
 */
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReliabilityOptions, ReliabilityScenario } from '../reliability/scenario.ts';

export const reliabilityDirectory = join(dirname(dirname(fileURLToPath(import.meta.url))), 'reliability');

export function isReliabilityScenario(value: unknown): value is ReliabilityScenario {
  return (
    typeof value === 'object' &&
    value !== null &&
    'run' in value &&
    typeof value.run === 'function' &&
    'description' in value &&
    typeof value.description === 'string'
  );
}

/** Local runtime options for a scenario given a running DynamoDB Local: a fresh table of its own in it. */
export function onDynamoDb(options: ReliabilityOptions, prefix: string): { dynamoDbEndpoint?: string; tableName?: string } {
  return options.dynamoDbEndpoint === undefined ? {} : { dynamoDbEndpoint: options.dynamoDbEndpoint, tableName: `${prefix}-${randomUUID().slice(0, 8)}` };
}

/** Runs `work` for 0…count-1 with at most `limit` in flight; unlike forEachConcurrent, one failure does not stop the rest. */
export async function forEachIndex(count: number, limit: number, work: (index: number) => Promise<void>): Promise<unknown[]> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        await work(index);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
  return errors;
}

/**
 * What an error page must never show: a stack frame ("    at fn (file:…)"), a source path, or an Error's
 * "Name: message" line (TypeError:, SyntaxError:, ZodError: …) — each means an exception reached the client.
 */
const LEAKS: { name: string; pattern: RegExp }[] = [
  { name: 'stack frame', pattern: /\n\s{2,}at [^\n]+/ },
  { name: 'source path', pattern: /(?:\/work\/|\/home\/|node_modules\/|file:\/\/|[\w-]+\.(?:ts|mjs|cjs):\d+)/ },
  // TypeError:, ZodError: … anywhere; a bare "Error: " only where a stringified error starts (the body, a line, a JSON
  // string) — the form's own page title "Error: Tell … about your purchase" (the GOV.UK pattern) is not a leak.
  { name: 'error name', pattern: /\b[A-Z][A-Za-z]*Error: |(?:^|[\n"])Error: / },
];

/** The kind of leak in a response body, or undefined if it shows none. */
export function leakIn(body: string): string | undefined {
  return LEAKS.find(({ pattern }) => pattern.test(body))?.name;
}

/** Counts of each HTTP status per route, plus the first few examples of 5xx answers and leaky bodies. */
export class StatusTally {
  readonly byRoute: Record<string, Record<string, number>> = {};
  readonly serverErrors: { route: string; status: number; example: string }[] = [];
  readonly leaks: { route: string; status: number; kind: string; example: string }[] = [];
  readonly transportErrors: { route: string; message: string }[] = [];
  total = 0;
  serverErrorCount = 0;
  leakCount = 0;

  record(route: string, status: number, body: string, request = ''): void {
    this.total++;
    const statuses = (this.byRoute[route] ??= {});
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status >= 500) {
      this.serverErrorCount++;
      if (this.serverErrors.length < 10) this.serverErrors.push({ route, status, example: `${request} → ${body.slice(0, 300)}` });
    }
    const leak = leakIn(body);
    if (leak !== undefined) {
      this.leakCount++;
      if (this.leaks.length < 10) this.leaks.push({ route, status, kind: leak, example: `${request} → ${body.slice(0, 300)}` });
    }
  }

  recordTransportError(route: string, error: unknown): void {
    this.total++;
    if (this.transportErrors.length < 10) this.transportErrors.push({ route, message: error instanceof Error ? error.message : String(error) });
    const statuses = (this.byRoute[route] ??= {});
    statuses.transport = (statuses.transport ?? 0) + 1;
  }

  get transportErrorCount(): number {
    return Object.values(this.byRoute).reduce((sum, statuses) => sum + (statuses.transport ?? 0), 0);
  }

  /** Every status seen, summed over routes. */
  statuses(): Record<string, number> {
    const all: Record<string, number> = {};
    for (const statuses of Object.values(this.byRoute)) for (const [status, count] of Object.entries(statuses)) all[status] = (all[status] ?? 0) + count;
    return all;
  }
}

export const formatCount = (n: number) => n.toLocaleString('en-US');
