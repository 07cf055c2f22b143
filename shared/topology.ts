/**
 * The pipeline's topology, declared once: which function serves which route, schedule, event rule or queue,
 * and what each may touch. The CDK stack (infra/) and the local runtime (local/) both read this, so the
 * deployed wiring and the local wiring cannot drift apart. Plain data: no CDK or runtime imports here.
 */
import { campaignTriggers, loadCampaignsFile } from '#shared/campaigns/campaign-triggers.ts';
import { sesEventPattern } from '#shared/measurement/ses-event.ts';
import { segmenterSchedule } from '#shared/segments/segment-schedule.ts';
import { sendBatchSize } from '#shared/sending/send-batch-size.ts';
import type { TableAccess } from '#shared/table/table-access.ts';

export type HttpMethod = 'GET' | 'POST';

export type Trigger =
  /** An API route. `apiKey` routes are for the shop's systems and staff: IAM-signed in AWS, `x-api-key` locally. */
  | { kind: 'http'; method: HttpMethod; path: string; auth: 'public' | 'apiKey' }
  /**
   * A schedule, as an EventBridge Scheduler expression: `rate(1 hour)` or `cron(0 * * * ? *)`. With `input`, the
   * function receives `{ ...input, scheduledTime }` (Scheduler's `<aws.scheduler.scheduled-time>`) instead of the
   * plain scheduled event.
   */
  | { kind: 'schedule'; name: string; expression: string; timezone?: string; input?: Record<string, string> }
  /**
   * An EventBridge rule on the Kinship bus; `pattern` is a real EventBridge event pattern. With `input`, the
   * function receives `{ ...input, event }` (an input transformer) — e.g. which campaign the rule belongs to.
   */
  | {
      kind: 'event';
      name: string;
      pattern: Record<string, unknown>;
      input?: Record<string, string>;
      /** The bus the rule lives on: Kinship's own (default) or the account's `default` bus, where AWS services (SES) publish. */
      bus?: 'default';
    }
  /** An SQS queue consumed in batches with partial batch failures. */
  | {
      kind: 'queue';
      queue: string;
      batchSize: number;
      /** At most this many concurrent consumers (SQS event source maximum concurrency, ≥ 2); the function learns it as QUEUE_CONSUMER_CONCURRENCY. */
      maxConcurrency?: number;
    };

/** What a function may touch; the stack turns each into a least-privilege grant, the local runtime ignores it. */
export interface Access {
  /** Which partitions it reads or writes (IAM `dynamodb:LeadingKeys` in AWS, checked on every call locally). */
  table?: TableAccess;
  publishEvents?: boolean;
  signingKey?: boolean;
  sendEmail?: boolean;
  sendToQueues?: string[];
  /** Verifies staff sign-in (Cognito): the stack passes the user pool's issuer, app client and hosted UI; locally the runtime starts the Cognito emulator. */
  staffSignIn?: boolean;
  /** Notifies staff: publish to the staff SNS topic in AWS; locally an email into the SES emulator's inbox. */
  notifyStaff?: boolean;
}

/** The product's features; the stack gives each its own construct (infra/functions-construct.ts), the local runtime ignores them. */
export type Feature = 'purchases' | 'capture' | 'segmentation' | 'campaigns' | 'sending' | 'measurement' | 'console' | 'privacy';

export interface FunctionSpec {
  /** kebab-case; the handler lives at functions/<name>/handler.ts. */
  name: string;
  feature: Feature | 'test';
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  access: Access;
  triggers: Trigger[];
  /** Worker-thread entries (repository paths) the function starts; each is bundled beside index.mjs as <name>.mjs. */
  workers?: string[];
  /**
   * Modules (repository paths under shared/) the function imports with `await import('#shared/…')` on some requests
   * only: the asset carries each as its own bundle beside index.mjs, which the asset's package.json `imports` maps the
   * specifier to, so a cold start does not parse them (infra/side-bundles.ts; bench/cold-start.ts measures it).
   */
  lazyModules?: string[];
}

export interface QueueSpec {
  name: string;
  visibilityTimeoutSeconds: number;
  /** Deliveries before a message moves to the queue's dead-letter queue. */
  maxReceiveCount: number;
}

export interface Topology {
  functions: FunctionSpec[];
  queues: QueueSpec[];
}

/** config/campaigns.yaml, read once here: it yields the planner's triggers and the sender's batch size. */
const campaigns = loadCampaignsFile();
/** The send queue's consumer: its timeout and how many may run at once (they share the configured SES rate). */
const SENDER = { timeoutSeconds: 30, consumers: 2 };

export const topology: Topology = {
  functions: [
    {
      name: 'record-purchase',
      feature: 'purchases',
      description: 'POST /api/purchases: records an order into the customer profile and returns the incentive-form link',
      memoryMb: 512,
      timeoutSeconds: 10,
      access: {
        table: { mode: 'readWrite', keys: ['CUST#', 'ORDER#', 'INCENTIVE#', 'CODE#', 'ERASED#', 'STATS#', 'REFPENDING'] },
        publishEvents: true,
        signingKey: true,
      },
      triggers: [{ kind: 'http', method: 'POST', path: '/api/purchases', auth: 'apiKey' }],
    },
    {
      name: 'run-segmenter',
      feature: 'segmentation',
      description: 'Scheduled: recomputes every segment from the profiles, writes only changed memberships, publishes SegmentEntered/SegmentExited',
      // 3,538 MB buys two vCPUs (1,769 MB each), so the compute runs on both (shared/segments/parallel-compute.ts).
      memoryMb: 3538,
      timeoutSeconds: 900,
      access: { table: { mode: 'readWrite', keys: { wholeTable: 'reads every profile with a parallel Scan' }, deletes: true }, publishEvents: true },
      workers: ['shared/segments/rank-worker.ts'],
      // The schedule is config (config/segments.yaml `schedule`, default rate(1 hour)).
      triggers: [{ kind: 'schedule', name: 'segmenter', ...segmenterSchedule() }],
    },
    {
      name: 'show-form',
      feature: 'capture',
      description: 'GET /form/{formToken}: the localized incentive form for an order (HTML, works without JavaScript)',
      memoryMb: 512,
      timeoutSeconds: 10,
      // Reads the order, the profile's contact and an earlier submission; verifies the form link; marks the order's
      // first view (formOpenedAt, once) for the report's incentive funnel.
      access: { table: { mode: 'readWrite', keys: ['ORDER#', 'CUST#', 'INCENTIVE#'] }, signingKey: true },
      triggers: [{ kind: 'http', method: 'GET', path: '/form/{formToken}', auth: 'public' }],
    },
    {
      name: 'submit-form',
      feature: 'capture',
      description: 'POST /api/submissions: validates and records the form answers, publishes FormSubmitted, sends the double opt-in email',
      memoryMb: 512,
      timeoutSeconds: 15,
      access: {
        table: { mode: 'readWrite', keys: ['ORDER#', 'CUST#', 'RATE#', 'CASE#', 'CASES#', 'CASESRC#', 'ERASED#'] },
        publishEvents: true,
        signingKey: true,
        sendEmail: true,
      },
      triggers: [{ kind: 'http', method: 'POST', path: '/api/submissions', auth: 'public' }],
    },
    {
      name: 'confirm-email',
      feature: 'capture',
      description:
        'GET /confirm: a page with a Confirm button (changes nothing); POST /confirm: records consent in the ledger, issues the incentive exactly once, emails it',
      memoryMb: 512,
      timeoutSeconds: 15,
      access: {
        table: { mode: 'readWrite', keys: ['ORDER#', 'CUST#', 'INCENTIVE#', 'CODE#', 'POOL#', 'RATE#', 'SUPPRESS#', 'ERASED#', 'REFPENDING'], deletes: true },
        publishEvents: true,
        signingKey: true,
        sendEmail: true,
      },
      triggers: [
        { kind: 'http', method: 'GET', path: '/confirm', auth: 'public' },
        { kind: 'http', method: 'POST', path: '/confirm', auth: 'public' },
      ],
    },
    {
      name: 'plan-campaign',
      feature: 'campaigns',
      description: 'Campaign occurrences: a newsletter schedule or a matching bus event → one queued email per recipient',
      memoryMb: 1024,
      timeoutSeconds: 300,
      access: { table: { mode: 'readWrite', keys: ['SEG#', 'SEGRUN', 'CUST#', 'OCC#', 'SEND#', 'DUE#'] }, sendToQueues: ['send-email'] },
      // The full campaigns checks ran at cdk synth on these files (shared/campaigns/checked-campaigns.ts).
      lazyModules: ['shared/campaigns/validate-campaigns.ts'],
      // One schedule per newsletter and one rule per triggered campaign, generated from config/campaigns.yaml.
      triggers: campaignTriggers(campaigns),
    },
    {
      name: 'send-email',
      feature: 'sending',
      description: 'Send queue consumer: consent, suppression, frequency cap and quiet hours, exactly-once claim, SES, EmailSent',
      memoryMb: 512,
      timeoutSeconds: SENDER.timeoutSeconds,
      access: {
        table: { mode: 'readWrite', keys: ['SEND#', 'CUST#', 'DUE#', 'CODE#', 'INCENTIVE#', 'STATS#', 'SUPPRESS#'], deletes: true },
        publishEvents: true,
        signingKey: true,
        sendEmail: true,
        sendToQueues: ['send-email'],
      },
      // The full campaigns checks ran at cdk synth on these files (shared/campaigns/checked-campaigns.ts).
      lazyModules: ['shared/campaigns/validate-campaigns.ts'],
      // Batches as big as the configured send rate lets one finish well inside the timeout (25 at 10 emails/s).
      triggers: [
        {
          kind: 'queue',
          queue: 'send-email',
          batchSize: sendBatchSize(campaigns.defaults.sendRatePerSecond, SENDER.consumers, SENDER.timeoutSeconds),
          maxConcurrency: SENDER.consumers,
        },
      ],
    },
    {
      name: 'unsubscribe',
      feature: 'sending',
      description:
        "GET|POST /unsubscribe: localized confirmation page; POST (RFC 8058 one-click) withdraws marketing consent at once. GET|POST /survey: an email's one-click survey answer; POST records it as a contact",
      memoryMb: 256,
      timeoutSeconds: 10,
      // CUST#: consent, the stop-all flag, the survey contact; INTERACTION#: the survey answer's once-per-email guard; STATS#: answer counts.
      access: { table: { mode: 'readWrite', keys: ['CUST#', 'STATS#', 'INTERACTION#'] }, publishEvents: true, signingKey: true },
      triggers: [
        { kind: 'http', method: 'GET', path: '/unsubscribe', auth: 'public' },
        { kind: 'http', method: 'POST', path: '/unsubscribe', auth: 'public' },
        { kind: 'http', method: 'GET', path: '/survey', auth: 'public' },
        { kind: 'http', method: 'POST', path: '/survey', auth: 'public' },
      ],
    },
    {
      name: 'dispatch-due-sends',
      feature: 'sending',
      description: 'Every 5 minutes: moves sends whose delay or quiet hours are over to the send queue',
      memoryMb: 256,
      timeoutSeconds: 120,
      access: { table: { mode: 'readWrite', keys: ['DUE#'], deletes: true }, sendToQueues: ['send-email'] },
      triggers: [{ kind: 'schedule', name: 'due-sends', expression: 'rate(5 minutes)' }],
    },
    {
      name: 'record-email-event',
      feature: 'measurement',
      description: 'SES events (delivery, bounce, complaint, open, click …): counters, claim, profile, suppression, consent withdrawal on complaints',
      memoryMb: 256,
      timeoutSeconds: 15,
      access: { table: { mode: 'readWrite', keys: ['CUST#', 'SEND#', 'STATS#', 'SUPPRESS#'] }, publishEvents: true, signingKey: true },
      // SES's EventBridge destination can only target the account's default bus, so the rule lives there.
      triggers: [{ kind: 'event', name: 'ses-events', bus: 'default', pattern: sesEventPattern() }],
    },
    {
      name: 'show-report',
      feature: 'measurement',
      description: 'GET /reports (HTML, charts) and GET /api/reports/campaigns (JSON): the results report, from one parallel Scan of the table',
      // One Scan of the whole table inside API Gateway's 30 s limit: 1 GB (and the CPU share that comes with it)
      // covers a small shop's table; bigger shops run `npx kinship report`, which has no time limit (README, Reports).
      memoryMb: 1024,
      timeoutSeconds: 29,
      access: { table: { mode: 'read', keys: { wholeTable: 'the report is one parallel Scan of the table' } } },
      // The charts (Observable Plot, linkedom: ~730 KB bundled) are drawn only for the HTML page, not the JSON.
      lazyModules: ['shared/reports/report-charts.ts'],
      // Staff only: IAM-signed in AWS, x-api-key (or Basic auth with the key) locally; issue 12 moves it behind the staff sign-in.
      triggers: [
        { kind: 'http', method: 'GET', path: '/reports', auth: 'apiKey' },
        { kind: 'http', method: 'GET', path: '/api/reports/campaigns', auth: 'apiKey' },
      ],
    },
    {
      name: 'console',
      feature: 'console',
      description: 'GET|POST /console/…: the staff console (sign-in, find, customer page, contacts, cases, reports, admin); verifies the session cookie itself',
      memoryMb: 512,
      timeoutSeconds: 15,
      access: {
        table: { mode: 'readWrite', keys: { wholeTable: 'finding a customer by name scans the profiles; admins export and erase' }, deletes: true },
        publishEvents: true,
        signingKey: true,
        staffSignIn: true,
      },
      // The report's charts are drawn on one page of the console; every other page starts without parsing them.
      lazyModules: ['shared/reports/report-charts.ts'],
      // Public at the gateway: an API Gateway JWT authorizer reads the Authorization header only, and a browser
      // navigating pages sends a cookie. The handler verifies that cookie's ID token (aws-jwt-verify) on every request.
      triggers: [
        { kind: 'http', method: 'GET', path: '/console', auth: 'public' },
        { kind: 'http', method: 'GET', path: '/console/{proxy+}', auth: 'public' },
        { kind: 'http', method: 'POST', path: '/console/{proxy+}', auth: 'public' },
      ],
    },
    {
      name: 'record-interaction',
      feature: 'console',
      description: 'POST /api/interactions: a till or helpdesk records a staff contact (idempotent per interactionId); an unhappy one opens a case',
      memoryMb: 256,
      timeoutSeconds: 10,
      access: {
        table: { mode: 'readWrite', keys: ['CUST#', 'INTERACTION#', 'CASE#', 'CASES#', 'CASESRC#'], deletes: true },
        publishEvents: true,
        signingKey: true,
      },
      triggers: [{ kind: 'http', method: 'POST', path: '/api/interactions', auth: 'apiKey' }],
    },
    {
      name: 'escalate-cases',
      feature: 'console',
      description: 'Every 15 minutes: cases unassigned or unresolved past config/console.yaml hours → a staff notification and CaseEscalated',
      memoryMb: 256,
      timeoutSeconds: 60,
      access: { table: { mode: 'readWrite', keys: ['CASE#', 'CASES#', 'CUST#'], deletes: true }, publishEvents: true, notifyStaff: true },
      triggers: [{ kind: 'schedule', name: 'escalate-cases', expression: 'rate(15 minutes)' }],
    },
    {
      name: 'privacy-request',
      feature: 'privacy',
      description: "POST /api/privacy/export and /erase (staff): one person's data as JSON or HTML, or erased (keyed-hash tombstone, CustomerErased)",
      memoryMb: 1024,
      // An erasure reads the whole table once to confirm nothing is missed; API Gateway answers within 30 s, so
      // larger tables use `kinship privacy erase` (README "Privacy").
      timeoutSeconds: 29,
      access: {
        table: { mode: 'readWrite', keys: { wholeTable: 'an erasure scans the table so nothing about the person is missed' }, deletes: true },
        publishEvents: true,
        signingKey: true,
      },
      triggers: [
        { kind: 'http', method: 'POST', path: '/api/privacy/export', auth: 'apiKey' },
        { kind: 'http', method: 'POST', path: '/api/privacy/erase', auth: 'apiKey' },
      ],
    },
    {
      name: 'sweep-retention',
      feature: 'privacy',
      description: 'Daily: blanks free-text form answers and contact notes older than config/privacy.yaml retention',
      memoryMb: 512,
      timeoutSeconds: 900,
      access: { table: { mode: 'readWrite', keys: { wholeTable: 'the sweep scans for answers and notes past their retention' } } },
      triggers: [{ kind: 'schedule', name: 'sweep-retention', expression: 'rate(1 day)' }],
    },
  ],
  queues: [
    // Visibility ≥ 6 × the sender's timeout (AWS's guidance for Lambda consumers); five tries, then the DLQ and its alarm.
    { name: 'send-email', visibilityTimeoutSeconds: 180, maxReceiveCount: 5 },
  ],
};

export function handlerEntry(spec: Pick<FunctionSpec, 'name'>): string {
  return `functions/${spec.name}/handler.ts`;
}

export function httpRoutes(t: Topology = topology): { fn: FunctionSpec; route: Extract<Trigger, { kind: 'http' }> }[] {
  return t.functions.flatMap((fn) => fn.triggers.flatMap((route) => (route.kind === 'http' ? [{ fn, route }] : [])));
}

/** The queue trigger of a consumer function (its batch size and concurrency), or an error naming what is missing. */
export function queueTriggerOf(functionName: string, t: Topology = topology): Extract<Trigger, { kind: 'queue' }> {
  for (const fn of t.functions) {
    if (fn.name !== functionName) continue;
    for (const trigger of fn.triggers) if (trigger.kind === 'queue') return trigger;
  }
  throw new Error(`the topology has no queue consumer named ${functionName}`);
}
