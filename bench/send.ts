/**
 * bench/send: campaign emails per second through the whole sending path — planner (audience from the segment
 * index) → queue → sender (consent, cap, exactly-once claim, render, SES, mark sent) → the SES emulator — next to
 * two baselines on the same emulators, same recipients, same number of requests in flight, interleaved in rounds:
 * - the peer: the exactly-once worker a user would otherwise write — per email a conditional PutItem claim, render,
 *   SESv2 SendEmail, an UpdateItem marking it sent (the goal is measured against it);
 * - bare SESv2 SendEmail calls of pre-rendered emails: what SES alone costs (context, no guarantee at all).
 */
import os from 'node:os';
import { join } from 'node:path';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { z } from 'zod';
import { CampaignSchema, type Campaign } from '#shared/campaigns/campaign-config.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { buildTemplateContext } from '#shared/campaigns/template-variables.ts';
import { createSesClient, sesEmailSender } from '#shared/email/send-email.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { profileFromItem } from '#shared/profiles/customer-profile.ts';
import { createPacer } from '#shared/sending/pacer.ts';
import { planNewsletter } from '#shared/sending/plan-occurrence.ts';
import { processSendBatch, type QueueRecord } from '#shared/sending/process-send-batch.ts';
import type { SendQueue } from '#shared/sending/send-queue.ts';
import { queueTriggerOf } from '#shared/topology.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { ensureTable, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { seedSubscribers } from './support/subscribers.ts';
import { startPutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { startSesEmulator } from '#local/ses-emulator.ts';
import { freePort, machineInfo, sizeFromEnvironment, timedWithCpu, type BenchReport } from './bench-harness.ts';

export const description =
  'sending: emails/s through planner → queue → sender → SES emulator vs a minimal exactly-once worker (claim, SendEmail, mark sent) and bare SESv2 SendEmail, same emulators, interleaved rounds';

/** Kinship ÷ the exactly-once peer: batching the table work should at least pay for the pipeline's extra checks. */
const GOAL = 1.0;
/** Consumers of the queue, each taking batches of the size the stack configures (as Lambda's SQS poller hands them out). */
const WORKERS = 4;
const PER_BATCH = queueTriggerOf('send-email').batchSize;
const IN_FLIGHT = WORKERS * PER_BATCH;
const FROM = 'hello@nordurljos.example';
const newsletter = CampaignSchema.parse({
  id: 'monthly-newsletter',
  kind: 'newsletter',
  audience: { include: ['all-customers'] },
  schedule: { expression: 'cron(0 10 1 * ? *)' },
});
/** The same newsletter to other customers: one untimed pass of each path first, so neither is measured cold. */
const warmup = CampaignSchema.parse({
  id: 'warm-up',
  template: 'monthly-newsletter',
  kind: 'newsletter',
  audience: { include: ['warm-up'] },
  schedule: { expression: 'cron(0 10 1 * ? *)' },
});
const Store = z.object({ emails: z.array(z.object({ destination: z.object({ to: z.array(z.string()) }) })) });

async function inboxCount(endpoint: string): Promise<number> {
  return Store.parse(await (await fetch(`${endpoint}/store`)).json()).emails.length;
}

async function clearInbox(endpoint: string): Promise<void> {
  await fetch(`${endpoint}/clear-store`, { method: 'POST' });
}

/** The middle of a list of numbers (the lower middle for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

interface Pass {
  seconds: number;
  cpuMs: Record<string, number>;
  sent: number;
}

export async function run(): Promise<BenchReport> {
  const RECIPIENTS = sizeFromEnvironment('BENCH_SEND_RECIPIENTS', 3_000, 1);
  const WARM_UP = sizeFromEnvironment('BENCH_SEND_WARM_UP', RECIPIENTS, 0);
  const ROUNDS = sizeFromEnvironment('BENCH_SEND_ROUNDS', 3, 1);
  const db = await startDynamoDbLocal({ port: await freePort() });
  const ses = await startSesEmulator({ port: 0 });
  const events = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  try {
    await ensureTable(db.endpoint, 'bench-send');
    const table: Table = { doc: createDocumentClient(db.endpoint), name: 'bench-send' };
    const ids = await seedSubscribers(table, 'all-customers', 'bench', RECIPIENTS);
    const warmIds = await seedSubscribers(table, 'warm-up', 'warm', WARM_UP);
    const sesClient = createSesClient(ses.endpoint);
    const templates = new CampaignTemplates(join(process.cwd(), 'config', 'templates'), ['monthly-newsletter'], 'en');
    const shop = { name: 'Norðurljós Outdoor', url: 'https://shop.example', baseCurrency: 'EUR' };
    const now = new Date('2026-12-01T10:00:30Z');
    const render = (id: string, i: number) => {
      const profile = profileFromItem({ customerId: id, customerName: `Customer ${i}`, orderCount: 1 });
      return {
        to: `${id}@example.com`,
        ...templates.render(
          'monthly-newsletter',
          'en',
          buildTemplateContext({ profile, locale: 'en', shop, campaignId: newsletter.id, unsubscribeUrl: `https://shop.example/unsubscribe?token=${id}` }),
        ),
      };
    };
    const sendEmail = (email: ReturnType<typeof render>) =>
      sesClient.send(
        new SendEmailCommand({
          FromEmailAddress: FROM,
          Destination: { ToAddresses: [email.to] },
          Content: { Simple: { Subject: { Data: email.subject }, Body: { Html: { Data: email.html }, Text: { Data: email.text } } } },
        }),
      );
    /** Runs `work` over `items`, IN_FLIGHT at a time, timed with the CPU of this process and DynamoDB Local's JVM. */
    const drain = async <T>(items: readonly T[], work: (item: T, index: number) => Promise<void>): Promise<Pass> => {
      await clearInbox(ses.endpoint);
      let next = 0;
      const run = await timedWithCpu(
        async () => {
          await Promise.all(
            Array.from({ length: IN_FLIGHT }, async () => {
              for (let i = next++, item = items[i]; item !== undefined; i = next++, item = items[i]) await work(item, i);
            }),
          );
        },
        { dynamodb: db.javaPid },
      );
      return { seconds: run.seconds, cpuMs: run.cpuMs, sent: await inboxCount(ses.endpoint) };
    };

    // Context: the same emails, rendered up front, sent with bare SendEmail calls — SES alone, no guarantee.
    const bare = (customers: readonly string[]) => {
      const emails = customers.map(render);
      return drain(emails, async (email) => {
        await sendEmail(email);
      });
    };

    // The peer: what a user would write for exactly-once sends without batching — claim, render, send, mark sent.
    const peer = (customers: readonly string[], run: string) =>
      drain(customers, async (id, i) => {
        const key = { PK: `PEERSEND#${run}#${id}`, SK: 'CLAIM' };
        try {
          await table.doc.send(
            new PutCommand({
              TableName: table.name,
              Item: { ...key, status: 'claimed', claimedAt: now.toISOString() },
              ConditionExpression: 'attribute_not_exists(PK)',
            }),
          );
        } catch (error) {
          if (error instanceof ConditionalCheckFailedException) return; // claimed before: never send twice
          throw error;
        }
        const sent = await sendEmail(render(id, i));
        await table.doc.send(
          new UpdateCommand({
            TableName: table.name,
            Key: key,
            UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :at',
            ConditionExpression: '#status = :claimed',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':sent': 'sent', ':claimed': 'claimed', ':messageId': sent.MessageId ?? '', ':at': now.toISOString() },
          }),
        );
      });

    // Kinship: plan the occurrence, then WORKERS consumers drain the queue in batches of PER_BATCH.
    const queued: QueueRecord[] = [];
    let sequence = 0;
    const queue: SendQueue = {
      async enqueue(requests) {
        for (const request of requests) queued.push({ messageId: String(++sequence), body: JSON.stringify(request) });
      },
    };
    const campaigns = new Map<string, Campaign>([
      [newsletter.id, newsletter],
      [warmup.id, warmup],
    ]);
    const deps = {
      sender: {
        table,
        bus: { client: createEventBridgeClient(events.endpoint), name: 'kinship' },
        email: sesEmailSender(sesClient, { from: FROM, replyTo: [] }),
        templates,
        campaigns,
        // The same customers get one email per round: a cap that every round stays under (it is still checked and written).
        policy: { frequencyCap: { maxEmails: 1_000, perDays: 7 }, quietHours: undefined, shopTimeZone: 'UTC' },
        shop,
        publicBaseUrl: 'https://shop.example',
        signingKey: 'bench-key',
        now: () => now,
        // The bench measures capacity; in production the pacer holds the configured SES rate.
        pacer: createPacer(1_000_000),
      },
      due: { table, queue, now: () => now },
    };
    /** One occurrence of `campaignId` per round (a minute apart, before `now`), so every round claims afresh. */
    const kinship = async (campaignId: string, round: number): Promise<Pass> => {
      await clearInbox(ses.endpoint);
      const scheduled = new Date(Date.parse('2026-12-01T10:00:00Z') - round * 60_000).toISOString();
      const run = await timedWithCpu(
        async () => {
          await planNewsletter({ table, queue, campaigns, now: () => now }, campaignId, scheduled);
          await Promise.all(
            Array.from({ length: WORKERS }, async () => {
              for (let batch = queued.splice(0, PER_BATCH); batch.length > 0; batch = queued.splice(0, PER_BATCH)) {
                const result = await processSendBatch(deps, batch);
                if (result.batchItemFailures.length > 0) throw new Error(`${result.batchItemFailures.length} sends failed: ${JSON.stringify(result.outcomes)}`);
              }
            }),
          );
        },
        { dynamodb: db.javaPid },
      );
      return { seconds: run.seconds, cpuMs: run.cpuMs, sent: await inboxCount(ses.endpoint) };
    };

    // Warm-up (untimed): the JVM behind DynamoDB Local spends its first seconds compiling; SES in AWS is not cold.
    if (warmIds.length > 0) {
      await bare(warmIds);
      await peer(warmIds, 'warm-up');
      await kinship(warmup.id, 0);
    }
    // Rounds, the order rotated each round so no path always runs first (or last) on a machine that is shared.
    const paths: Record<'bare' | 'peer' | 'kinship', Pass[]> = { bare: [], peer: [], kinship: [] };
    const order = ['bare', 'peer', 'kinship'] as const;
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < order.length; k++) {
        const path = order[(round + k) % order.length] ?? 'bare';
        const pass = path === 'bare' ? await bare(ids) : path === 'peer' ? await peer(ids, `round-${round}`) : await kinship(newsletter.id, round);
        if (pass.sent !== RECIPIENTS) throw new Error(`round ${round}: expected ${RECIPIENTS} emails from ${path}, got ${pass.sent}`);
        paths[path].push(pass);
      }
    }

    const rate = (pass: Pass) => Math.round(RECIPIENTS / pass.seconds);
    const rates = { bare: paths.bare.map(rate), peer: paths.peer.map(rate), kinship: paths.kinship.map(rate) };
    /** Per round, Kinship over each baseline of the same round; the medians of those are the reported ratios. */
    const perRound = (baseline: number[]) => rates.kinship.map((k, i) => Number((k / (baseline[i] ?? Number.NaN)).toFixed(2)));
    const peerRatios = perRound(rates.peer);
    const bareRatios = perRound(rates.bare);
    const ratio = median(peerRatios);
    const bareRatio = median(bareRatios);
    /** CPU milliseconds per email, per process (median over rounds): where the time goes when the machine is the limit. */
    const perEmail = (passes: Pass[]) => {
      const names = Object.keys(passes[0]?.cpuMs ?? {});
      return Object.fromEntries(names.map((name) => [name, Number((median(passes.map((p) => p.cpuMs[name] ?? 0)) / RECIPIENTS).toFixed(3))]));
    };
    const cpu = { bare: perEmail(paths.bare), peer: perEmail(paths.peer), kinship: perEmail(paths.kinship) };
    const cpuText = (ms: Record<string, number>) =>
      Object.entries(ms)
        .map(([name, v]) => `${name} ${v.toFixed(2)}`)
        .join(' + ');
    const total = (ms: Record<string, number>) => Object.values(ms).reduce((sum, v) => sum + v, 0);
    // What the machine allows at best: every core busy with the measured CPU per email (all processes together).
    const cores = machineInfo().cores;
    const ceiling = (ms: Record<string, number>) => Math.round((cores * 1000) / total(ms));
    const list = (values: number[]) => values.join(', ');
    return {
      summary: [
        `${RECIPIENTS.toLocaleString('en-US')} recipients, ${ROUNDS} interleaved rounds, ${IN_FLIGHT} requests in flight each way (${WORKERS} consumers × batches of ${PER_BATCH})`,
        `  planner → queue → sender → SES (exactly once): median ${median(rates.kinship)} emails/s (rounds: ${list(rates.kinship)})`,
        `  peer: claim PutItem → render → SendEmail → UpdateItem: median ${median(rates.peer)} emails/s (rounds: ${list(rates.peer)})`,
        `  bare SESv2 SendEmail (pre-rendered, no guarantee): median ${median(rates.bare)} emails/s (rounds: ${list(rates.bare)})`,
        `  CPU ms per email — Kinship: ${cpuText(cpu.kinship)}; peer: ${cpuText(cpu.peer)}; bare: ${cpuText(cpu.bare)}`,
        `  CPU-bound ceiling on ${cores} cores: Kinship ${ceiling(cpu.kinship)}/s, peer ${ceiling(cpu.peer)}/s, bare ${ceiling(cpu.bare)}/s`,
        `  Kinship ÷ peer ${ratio} (rounds: ${list(peerRatios)}; goal ≥ ${GOAL}: ${ratio >= GOAL ? 'met' : 'NOT met'}); Kinship ÷ bare ${bareRatio} (rounds: ${list(bareRatios)})`,
      ],
      result: {
        recipients: RECIPIENTS,
        rounds: ROUNDS,
        consumers: WORKERS,
        batchSize: PER_BATCH,
        inFlight: IN_FLIGHT,
        warmUpRecipients: warmIds.length,
        emailsPerSec: { kinship: rates.kinship, peer: rates.peer, bare: rates.bare },
        medianEmailsPerSec: { kinship: median(rates.kinship), peer: median(rates.peer), bare: median(rates.bare) },
        seconds: {
          kinship: paths.kinship.map((p) => Number(p.seconds.toFixed(3))),
          peer: paths.peer.map((p) => Number(p.seconds.toFixed(3))),
          bare: paths.bare.map((p) => Number(p.seconds.toFixed(3))),
        },
        cpuMsPerEmail: cpu,
        cpuBoundCeiling: { cores, kinship: ceiling(cpu.kinship), peer: ceiling(cpu.peer), bare: ceiling(cpu.bare) },
        ratioVsPeer: { median: ratio, rounds: peerRatios },
        ratioVsBare: { median: bareRatio, rounds: bareRatios },
        ratio,
        goal: GOAL,
        peer: 'per email: PutItem with attribute_not_exists (the claim), template render, SESv2 SendEmail, UpdateItem status claimed → sent; document client, same table, same in-flight count',
        setup: 'DynamoDB Local (in memory, -sharedDb, no streams), aws-ses-v2-local and a PutEvents endpoint, all in this process or on this machine',
        load: os.loadavg().map((l) => Number(l.toFixed(2))),
        machine: machineInfo(),
        date: new Date().toISOString(),
      },
    };
  } finally {
    await events.stop();
    await ses.stop();
    await db.stop();
  }
}
