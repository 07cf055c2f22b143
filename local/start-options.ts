/**
 * What `npm start` reads from its command line and environment, as a pure function so the rules (defaults,
 * port ranges, the `--now` clock override) are unit-tested and every mistake gets a message that says
 * which flag or variable to fix.
 */
import { parseArgs } from 'node:util';
import { parseClockStart } from '#local/clock.ts';
import { DEFAULT_API_KEY, DEFAULT_COGNITO_PORT, DEFAULT_PORTS, PORT_VARIABLES } from '#local/runtime.ts';

export interface StartOptions {
  ports: { http: number; dynamodb: number; ses: number; events: number; sqs: number };
  apiKey: string;
  /** The clock override: the runtime's clock starts here and runs on from it. */
  now: Date | undefined;
  /** Where persisted state lives (default `<repo>/.kinship`). */
  stateDir: string | undefined;
  /** `--reset`: delete the state directory's data (DynamoDB Local's table, seed records, key) before starting. */
  reset: boolean;
  /** `human` (one short line per request, email, event, schedule) unless LOG_FORMAT=json. */
  logFormat: 'human' | 'json';
  help: boolean;
  /** COGNITO_PORT, when set: the staff sign-in emulator's port (else the runtime's default, 9229). */
  cognitoPort?: number;
}

export type ParsedStart = { ok: true; options: StartOptions } | { ok: false; error: string };

export const START_USAGE = `Usage: npm start [-- --now <iso date-time>] [-- --reset]

Starts Kinship on this machine: DynamoDB Local (data under .kinship/), the SES emulator and its inbox,
the event bus, the scheduler, the queues and the HTTP API, all running the real handlers. Seeds a demo
shop on the first start. Stop with Ctrl-C (twice to force).

Options:
  --now <iso>   Start the clock at this instant (e.g. 2027-03-01T09:00:00Z); it runs on from there.
                Schedules fire by this clock. Also KINSHIP_NOW.
  --reset       Delete the local data first (DynamoDB Local's table, the demo shop's records, the link key)
                and start afresh with a new demo shop. Refused while another npm start uses the folder.
  -h, --help    Show this help.

Environment:
  PORT               HTTP API and pages                   (default ${DEFAULT_PORTS.http})
  DYNAMODB_PORT      DynamoDB Local                       (default ${DEFAULT_PORTS.dynamodb})
  SES_PORT           SES emulator and its inbox           (default ${DEFAULT_PORTS.ses})
  EVENTS_PORT        EventBridge PutEvents endpoint       (default ${DEFAULT_PORTS.events})
  SQS_PORT           SQS endpoint                         (default ${DEFAULT_PORTS.sqs})
  COGNITO_PORT       Cognito emulator (staff sign-in)     (default ${DEFAULT_COGNITO_PORT})
  KINSHIP_API_KEY    x-api-key of the shop's API routes   (default ${DEFAULT_API_KEY})
  KINSHIP_NOW        same as --now
  KINSHIP_STATE_DIR  where local state is kept            (default .kinship/)
  LOG_LEVEL          DEBUG, INFO, WARN or SILENT (default: requests, emails, events and schedules; handler warnings)
  LOG_FORMAT         json: the runtime's structured JSON log lines instead of one short line each
`;

function parsePort(env: NodeJS.ProcessEnv, name: string, fallback: number): number | string {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(port) || port < 1 || port > 65_535) return `${name} must be a port number 1–65535 (got "${raw}")`;
  return port;
}

export function parseStartOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedStart {
  let values: { now?: string | undefined; reset?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { now: { type: 'string' }, reset: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { ok: false, error: `${error instanceof Error ? error.message : String(error)}. See npm start -- --help.` };
  }
  const ports: StartOptions['ports'] = { ...DEFAULT_PORTS };
  const taken = new Map<number, string>();
  for (const key of ['http', 'dynamodb', 'ses', 'events', 'sqs'] as const) {
    const variable = PORT_VARIABLES[key];
    const port = parsePort(env, variable, DEFAULT_PORTS[key]);
    if (typeof port === 'string') return { ok: false, error: port };
    const other = taken.get(port);
    if (other) return { ok: false, error: `${other} and ${variable} are both ${port}: give each service its own port` };
    taken.set(port, variable);
    ports[key] = port;
  }
  let cognitoPort: number | undefined;
  if (env.COGNITO_PORT !== undefined && env.COGNITO_PORT.trim() !== '') {
    const port = parsePort(env, 'COGNITO_PORT', DEFAULT_COGNITO_PORT);
    if (typeof port === 'string') return { ok: false, error: port };
    const other = taken.get(port);
    if (other) return { ok: false, error: `${other} and COGNITO_PORT are both ${port}: give each service its own port` };
    cognitoPort = port;
  }
  let now: Date | undefined;
  try {
    now = values.now !== undefined ? parseClockStart(values.now, '--now') : parseClockStart(env.KINSHIP_NOW, 'KINSHIP_NOW');
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const apiKey = env.KINSHIP_API_KEY?.trim() || DEFAULT_API_KEY;
  const format = env.LOG_FORMAT?.trim().toLowerCase() || 'human';
  if (format !== 'human' && format !== 'json') return { ok: false, error: `LOG_FORMAT must be json or human (got "${env.LOG_FORMAT ?? ''}")` };
  return {
    ok: true,
    options: {
      ports,
      apiKey,
      now,
      stateDir: env.KINSHIP_STATE_DIR?.trim() || undefined,
      reset: values.reset === true,
      logFormat: format,
      help: values.help === true,
      ...(cognitoPort !== undefined ? { cognitoPort } : {}),
    },
  };
}
