/**
 * reliability/ses-faults: a newsletter to thousands of recipients while SES throttles 30% of the calls
 * (429 TooManyRequestsException, nothing sent) and answers 2% too late (it took the email; the sender's client
 * timed out and cannot know). The whole sending path runs as deployed, only the AWS services are local:
 *
 *   planner (planNewsletter) → send queue (SQS semantics in memory: visibility timeout, receive count, DLQ,
 *   delayed messages) → sender consumers (processSendBatch: claim, pacer, real SESv2 client with one attempt and a
 *   short timeout) → mailbox simulator with fault injection → SES emulator; the simulator's SES events reach the
 *   real record-email-event a second later (and are retried, as EventBridge → Lambda would, when a claim is not
 *   settled yet).
 *
 * Once redelivery settles: every recipient has exactly one email (0 lost, 0 duplicated), every claim is `sent`,
 * nothing is in the DLQ, and the senders stayed under the configured rate, slowing down when throttled.
 * Times are scaled down by five (SES client timeout 2 s, lease 12 s, visibility timeout 36 s instead of 10 s / 60 s /
 * 180 s), keeping their ratios. SES events are recorded by 16 concurrent consumers, a second after the send.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CampaignSchema, type Campaign } from '#shared/campaigns/campaign-config.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { createCampaignSesClient, sesEmailSender } from '#shared/email/send-email.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { recordEmailEvent } from '#shared/measurement/record-email-event.ts';
import { SesEventBridgeEvent } from '#shared/measurement/ses-event.ts';
import { createPacer, type AdaptivePacer } from '#shared/sending/pacer.ts';
import { planNewsletter } from '#shared/sending/plan-occurrence.ts';
import { processSendBatch, type QueueRecord, type SendBatchDeps } from '#shared/sending/process-send-batch.ts';
import type { SendQueue } from '#shared/sending/send-queue.ts';
import { batchGetAll } from '#shared/table/batch-get.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { queueTriggerOf, topology } from '#shared/topology.ts';
import { ensureTable, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { seedSubscribers } from '../support/subscribers.ts';
import { startMailboxSimulator } from '#local/mailbox-simulator.ts';
import { startPutEventsEndpoint, type BusEvent } from '#local/put-events-endpoint.ts';
import { SesFaultsSchema } from '#local/ses-faults.ts';
import { freePort, machineInfo } from '../bench-harness.ts';
import type { ReliabilityOptions, ReliabilityReport, ReliabilityScale } from './scenario.ts';

export const description = 'SES faults: a campaign while SES throttles 30% and times out 2% of calls → 0 lost, 0 duplicated emails, sends paced back';

const SIZES: Record<ReliabilityScale, number> = { full: 3_000, ci: 200 };
const FAULTS = SesFaultsSchema.parse({ throttleRate: 0.3, timeoutRate: 0.02, seed: 13, timeoutDelayMs: 4_000 });
/** The configured SES send rate the consumers share (each paces at rate / consumers). */
const SEND_RATE = 100;
const CLIENT_TIMEOUT_MS = 2_000;
const LEASE_SECONDS = 12;
const VISIBILITY_TIMEOUT_MS = 36_000;
/** SES publishes its events about a second after the send. */
const EVENT_DELAY_MS = 1_000;
const EVENT_RETRY_MS = 1_000;
const EVENT_CONSUMERS = 16;
/** Nothing may still be moving after this long: the run is called stuck. */
const SETTLE_LIMIT_MS = 10 * 60_000;

const trigger = queueTriggerOf('send-email');
const BATCH_SIZE = trigger.batchSize;
const CONSUMERS = trigger.maxConcurrency ?? 2;
const MAX_RECEIVES = topology.queues.find((q) => q.name === 'send-email')?.maxReceiveCount ?? 5;
const newsletter = CampaignSchema.parse({
  id: 'monthly-newsletter',
  kind: 'newsletter',
  audience: { include: ['all-customers'] },
  schedule: { expression: 'cron(0 10 1 * ? *)' },
});
const OCCURRENCE = '2026-12-01T10:00';

const formatCount = (n: number) => n.toLocaleString('en-US');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Message extends QueueRecord {
  visibleAt: number;
  receives: number;
}

/** The send queue with SQS's semantics that matter here: delays, visibility timeout, receive count, DLQ. */
function memorySqs() {
  const messages: Message[] = [];
  const deadLetters: Message[] = [];
  let sequence = 0;
  const queue: SendQueue = {
    async enqueue(requests, delaySeconds = 0) {
      for (const request of requests)
        messages.push({ messageId: `m-${++sequence}`, body: JSON.stringify(request), visibleAt: Date.now() + delaySeconds * 1000, receives: 0 });
    },
  };
  return {
    queue,
    deadLetters,
    size: () => messages.length,
    receive(max: number): Message[] {
      const now = Date.now();
      const batch: Message[] = [];
      for (const message of messages) {
        if (batch.length >= max) break;
        if (message.visibleAt > now) continue;
        message.visibleAt = now + VISIBILITY_TIMEOUT_MS;
        message.receives++;
        batch.push(message);
      }
      return batch;
    },
    /** Deletes the messages that succeeded; a failed one stays invisible until its timeout, or goes to the DLQ. */
    settle(batch: readonly Message[], failed: ReadonlySet<string>): void {
      for (const message of batch) {
        const at = messages.indexOf(message);
        if (at === -1) continue;
        if (!failed.has(message.messageId)) messages.splice(at, 1);
        else if (message.receives >= MAX_RECEIVES) deadLetters.push(...messages.splice(at, 1));
      }
    },
  };
}

async function claimStatuses(
  table: Table,
  ids: readonly string[],
): Promise<{ statuses: Map<string, string>; reconciled: number; retakes: number; items: Map<string, Record<string, unknown>> }> {
  const statuses = new Map<string, string>();
  let reconciled = 0;
  /** Unknown outcomes that no SES event settled within the lease, so a redelivery took the claim over and sent. */
  let retakes = 0;
  const items = new Map<string, Record<string, unknown>>();
  for (const item of await batchGetAll(
    table,
    ids.map((id) => keys.sendClaim(newsletter.id, OCCURRENCE, id)),
    { ConsistentRead: true },
  )) {
    statuses.set(String(item.customerId), String(item.status));
    items.set(String(item.customerId), item);
    if (typeof item.reconciledAt === 'string') reconciled++;
    if (
      typeof item.unknownAt === 'string' &&
      typeof item.reconciledAt !== 'string' &&
      typeof item.reclaimedAt === 'string' &&
      item.reclaimedAt > item.unknownAt
    )
      retakes++;
  }
  return { statuses, reconciled, retakes, items };
}

export async function run(scale: ReliabilityScale, options: ReliabilityOptions = {}): Promise<ReliabilityReport> {
  const recipients = SIZES[scale];
  const inbox = new Map<string, number>();
  const acceptedAt: number[] = [];
  const emailSent = new Map<string, number>();
  const sesEvents: { event: BusEvent; dueAt: number }[] = [];
  const shared = options.dynamoDbEndpoint;
  const db = shared === undefined ? await startDynamoDbLocal({ port: await freePort() }) : { endpoint: shared, stop: () => Promise.resolve() };
  const tableName = shared === undefined ? 'reliability-ses-faults' : `reliability-ses-faults-${randomUUID().slice(0, 8)}`;
  const bus = await startPutEventsEndpoint({
    port: 0,
    onEvents: (events) => {
      for (const event of events)
        if (event['detail-type'] === 'EmailSent') emailSent.set(String(event.detail.customerId), (emailSent.get(String(event.detail.customerId)) ?? 0) + 1);
    },
  });
  const ses = await startMailboxSimulator({
    port: 0,
    region: 'eu-west-1',
    accountId: '000000000000',
    signingKey: 'reliability-ses-faults',
    trackingBaseUrl: () => 'http://127.0.0.1:1',
    now: () => new Date(),
    publish: (events) => sesEvents.push(...events.map((event) => ({ event, dueAt: Date.now() + EVENT_DELAY_MS }))),
    holding: () => false,
    faults: FAULTS,
    emulator: {
      onEmail: (email) => {
        acceptedAt.push(performance.now());
        for (const to of email.destination.to) inbox.set(to, (inbox.get(to) ?? 0) + 1);
      },
    },
  });
  try {
    await ensureTable(db.endpoint, tableName);
    const table: Table = { doc: createDocumentClient(db.endpoint), name: tableName };
    const ids = await seedSubscribers(table, 'all-customers', 'fault', recipients);
    const sqs = memorySqs();
    const pacers: AdaptivePacer[] = Array.from({ length: CONSUMERS }, () => createPacer(SEND_RATE / CONSUMERS));
    const email = sesEmailSender(createCampaignSesClient(ses.endpoint, CLIENT_TIMEOUT_MS), { from: 'hello@shop.example', replyTo: [] });
    const campaigns = new Map<string, Campaign>([[newsletter.id, newsletter]]);
    const eventBus = { client: createEventBridgeClient(bus.endpoint), name: 'kinship' };
    const templates = new CampaignTemplates(join(process.cwd(), 'config', 'templates'), ['monthly-newsletter'], 'en');
    const depsFor = (pacer: AdaptivePacer): SendBatchDeps => ({
      sender: {
        table,
        bus: eventBus,
        email,
        templates,
        campaigns,
        policy: { frequencyCap: { maxEmails: 5, perDays: 7 }, quietHours: undefined, shopTimeZone: 'UTC' },
        shop: { name: 'Norðurljós Outdoor', url: 'https://shop.example', baseCurrency: 'EUR' },
        publicBaseUrl: 'https://shop.example',
        signingKey: 'reliability-ses-faults',
        now: () => new Date(),
        leaseSeconds: LEASE_SECONDS,
        pacer,
      },
      due: { table, queue: sqs.queue, now: () => new Date() },
    });

    const outcomes: Record<string, number> = {};
    const eventOutcomes: Record<string, number> = {};
    let eventRetries = 0;
    let sendingDone = false;
    const started = performance.now();
    await planNewsletter({ table, queue: sqs.queue, campaigns, now: () => new Date() }, newsletter.id, `${OCCURRENCE}:00Z`);

    const consumer = async (pacer: AdaptivePacer) => {
      const deps = depsFor(pacer);
      while (sqs.size() > 0 && performance.now() - started < SETTLE_LIMIT_MS) {
        const batch = sqs.receive(BATCH_SIZE);
        if (batch.length === 0) {
          await sleep(50);
          continue;
        }
        const result = await processSendBatch(deps, batch);
        for (const [name, n] of Object.entries(result.outcomes)) outcomes[name] = (outcomes[name] ?? 0) + n;
        sqs.settle(batch, new Set(result.batchItemFailures.map((f) => f.itemIdentifier)));
      }
    };
    // EventBridge → record-email-event: each event about a second after the send; one that finds its claim not
    // settled yet (the sender is still waiting for SES) is retried, as Lambda's async retries would.
    const eventConsumer = async () => {
      while (!sendingDone || sesEvents.length > 0) {
        const now = Date.now();
        const due = sesEvents.filter((e) => e.dueAt <= now);
        if (due.length === 0) {
          if (sendingDone && performance.now() - started > SETTLE_LIMIT_MS) break;
          await sleep(100);
          continue;
        }
        for (const e of due) sesEvents.splice(sesEvents.indexOf(e), 1);
        let next = 0;
        await Promise.all(
          Array.from({ length: EVENT_CONSUMERS }, async () => {
            for (let e = due[next++]; e !== undefined; e = due[next++]) {
              try {
                const outcome = await recordEmailEvent(
                  { table, bus: eventBus, softBounceLimit: 3, now: () => new Date(), signingKey: 'reliability-ses-faults' },
                  SesEventBridgeEvent.parse(e.event).detail,
                );
                eventOutcomes[outcome.outcome] = (eventOutcomes[outcome.outcome] ?? 0) + 1;
              } catch {
                eventRetries++;
                sesEvents.push({ event: e.event, dueAt: Date.now() + EVENT_RETRY_MS });
              }
            }
          }),
        );
      }
    };
    const events = eventConsumer();
    await Promise.all(pacers.map((pacer) => consumer(pacer)));
    const sendingSeconds = (performance.now() - started) / 1000;
    sendingDone = true;
    await events;
    const settledSeconds = (performance.now() - started) / 1000;

    const { statuses, reconciled, retakes, items } = await claimStatuses(table, ids);
    const duplicatedClaims = ids.filter((id) => (inbox.get(`${id}@example.com`) ?? 0) > 1).map((id) => items.get(id));
    const counts = ses.faults.counts();
    const delivered = [...inbox.values()].reduce((a, b) => a + b, 0);
    const lost = ids.filter((id) => (inbox.get(`${id}@example.com`) ?? 0) === 0).length;
    const duplicated = ids.reduce((sum, id) => sum + Math.max(0, (inbox.get(`${id}@example.com`) ?? 0) - 1), 0);
    const notSent = ids.filter((id) => statuses.get(id) !== 'sent').length;
    const missingEmailSent = ids.filter((id) => (emailSent.get(id) ?? 0) === 0).length;
    // SES calls that were accepted (delivered emails) over the time the consumers ran, against the configured rate.
    const acceptedRate = delivered / sendingSeconds;
    // The main pass, without the tail that waits out back-offs and visibility timeouts: 95% of the emails accepted.
    const t95 = acceptedAt.slice().sort((a, b) => a - b)[Math.max(0, Math.ceil(acceptedAt.length * 0.95) - 1)] ?? performance.now();
    const mainPassRate = Math.ceil(acceptedAt.length * 0.95) / Math.max(0.001, (t95 - started) / 1000);
    const callRate = counts.sends / sendingSeconds;
    const pacerRates = pacers.map((p) => p.currentRate() * CONSUMERS);

    const violations: string[] = [];
    if (lost > 0) violations.push(`${lost} recipients got no email`);
    if (duplicated > 0) violations.push(`${duplicated} duplicate emails`);
    if (notSent > 0) violations.push(`${notSent} claims are not marked sent once redelivery settled`);
    if (sqs.deadLetters.length > 0) violations.push(`${sqs.deadLetters.length} send requests ended in the dead-letter queue`);
    if (sqs.size() > 0) violations.push(`${sqs.size()} send requests were still queued after ${SETTLE_LIMIT_MS / 60_000} minutes`);
    if (counts.throttled === 0 || counts.timedOut === 0)
      violations.push(`the faults were not injected (throttled ${counts.throttled}, timed out ${counts.timedOut})`);
    if (callRate > SEND_RATE * 1.1) violations.push(`SES was called at ${callRate.toFixed(1)}/s, over the configured ${SEND_RATE}/s`);
    if (missingEmailSent > 0) violations.push(`${missingEmailSent} sent emails have no EmailSent event`);

    return {
      summary: [
        `${formatCount(recipients)} recipients, SES throttling ${FAULTS.throttleRate * 100}% and timing out ${FAULTS.timeoutRate * 100}% of calls: ${lost} lost, ${duplicated} duplicated, ${notSent} claims unsettled, ${sqs.deadLetters.length} in the DLQ`,
        `  SES calls ${formatCount(counts.sends)}: ${formatCount(counts.throttled)} throttled (put back after a 2–10 s back-off), ${counts.timedOut} answered too late on purpose; ${outcomes.unknown ?? 0} outcomes unknown (held; ${reconciled} settled by their SES event, ${retakes} sent again after the lease with no event)`,
        `  rate: configured ${SEND_RATE}/s; SES called at ${callRate.toFixed(1)}/s on average; ${mainPassRate.toFixed(1)} emails/s accepted until 95% were out, ${acceptedRate.toFixed(1)}/s overall; pacers at the end ${pacerRates.map((r) => r.toFixed(0)).join(' + ')}/s`,
        `  sending ${sendingSeconds.toFixed(1)} s, settled ${settledSeconds.toFixed(1)} s; ${eventRetries} SES events retried (claim not settled yet)`,
      ],
      result: {
        recipients,
        faults: { throttleRate: FAULTS.throttleRate, timeoutRate: FAULTS.timeoutRate, seed: FAULTS.seed, lateAnswerMs: FAULTS.timeoutDelayMs },
        timing: {
          clientTimeoutMs: CLIENT_TIMEOUT_MS,
          leaseSeconds: LEASE_SECONDS,
          visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
          sesEventDelayMs: EVENT_DELAY_MS,
        },
        consumers: CONSUMERS,
        batchSize: BATCH_SIZE,
        maxReceiveCount: MAX_RECEIVES,
        sesCalls: counts.sends,
        throttled: counts.throttled,
        timedOut: counts.timedOut,
        emailsDelivered: delivered,
        lost,
        duplicated,
        claimsNotSent: notSent,
        reconciledFromEvents: reconciled,
        unknownOutcomes: outcomes.unknown ?? 0,
        sentAgainAfterLease: retakes,
        deadLetters: sqs.deadLetters.length,
        // The claims of duplicated emails, if any: what happened to them (unknownAt, reconciledAt, reclaimedAt).
        duplicatedClaims,
        senderOutcomes: outcomes,
        sesEventOutcomes: eventOutcomes,
        sesEventRetries: eventRetries,
        configuredRatePerSec: SEND_RATE,
        sesCallRatePerSec: Number(callRate.toFixed(1)),
        acceptedRatePerSec: Number(acceptedRate.toFixed(1)),
        acceptedRateTo95PercentPerSec: Number(mainPassRate.toFixed(1)),
        pacerRatesAtEndPerSec: pacerRates.map((r) => Number(r.toFixed(1))),
        sendingSeconds: Number(sendingSeconds.toFixed(1)),
        settledSeconds: Number(settledSeconds.toFixed(1)),
        setup:
          'planner → in-memory SQS (visibility timeout, receive count, DLQ) → processSendBatch → real SESv2 client → mailbox simulator with faults → aws-ses-v2-local; SES events → record-email-event; DynamoDB Local in memory',
        machine: machineInfo(),
        date: new Date().toISOString(),
      },
      violations,
    };
  } finally {
    await ses.stop();
    await bus.stop();
    await db.stop();
  }
}
