/**
 * bench/send: campaign emails per second through the whole sending path — planner (audience from the segment
 * index) → queue → sender (consent, cap, exactly-once claim, render, SES, mark sent) → the SES emulator — next to
 * bare SESv2 SendEmail calls of the same rendered emails to the same emulator, in the same run, with the same
 * number of requests in flight. The ratio is what Kinship's guarantees cost on top of SES itself.
 */
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { z } from 'zod';
import { CampaignSchema, type Campaign } from '#shared/campaigns/campaign-config.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { consentAddressOf } from '#shared/capture/consent.ts';
import { buildTemplateContext } from '#shared/campaigns/template-variables.ts';
import { createSesClient, sesEmailSender } from '#shared/email/send-email.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { profileFromItem } from '#shared/profiles/customer-profile.ts';
import { createPacer } from '#shared/sending/pacer.ts';
import { planNewsletter } from '#shared/sending/plan-occurrence.ts';
import { processSendBatch, type QueueRecord } from '#shared/sending/process-send-batch.ts';
import type { SendQueue } from '#shared/sending/send-queue.ts';
import { keys } from '#shared/table/keys.ts';
import { queueTriggerOf } from '#shared/topology.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { ensureTable, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { startPutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { startSesEmulator } from '#local/ses-emulator.ts';
import { freePort, machineInfo, sizeFromEnvironment, timedWithCpu, type BenchReport } from './bench-harness.ts';

export const description = 'sending: emails/s through planner → queue → sender → SES emulator vs bare SESv2 SendEmail calls to the same emulator';

const GOAL = 0.8;
/** Consumers of the queue, each taking batches of the size the stack configures (as Lambda's SQS poller hands them out). */
const WORKERS = 4;
const PER_BATCH = queueTriggerOf('send-email').batchSize;
const IN_FLIGHT = WORKERS * PER_BATCH;
const FROM = 'hello@nordurljos.example';
const newsletter = CampaignSchema.parse({ id: 'monthly-newsletter', kind: 'newsletter', audience: { include: ['all-customers'] }, schedule: { expression: 'cron(0 10 1 * ? *)' } });
/** The same newsletter to other customers: one untimed pass of each path first, so neither is measured cold. */
const warmup = CampaignSchema.parse({ id: 'warm-up', template: 'monthly-newsletter', kind: 'newsletter', audience: { include: ['warm-up'] }, schedule: { expression: 'cron(0 10 1 * ? *)' } });
const Store = z.object({ emails: z.array(z.object({ destination: z.object({ to: z.array(z.string()) }) })) });

async function seed(table: Table, segment: string, prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `c_${prefix}${String(i).padStart(6, '0')}`);
  const items = ids.flatMap((id, i) => [
    { ...keys.profile(id), customerId: id, customerName: `Customer ${i}`, locale: ['en', 'is', 'da', 'he', 'fi'][i % 5], confirmedEmail: `${id}@example.com`, marketingConsent: 'granted', marketingConsentAddress: consentAddressOf(`${id}@example.com`), orderCount: 1 + (i % 4), netSpendMinor: 1000 * (i % 90) },
    { ...keys.segmentMembership(id, segment), ...keys.segmentMemberIndex(segment, id), entityType: 'SEGMENT_MEMBER', customerId: id, segment },
  ]);
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(batches.slice(i, i + 8).map((batch) => table.doc.send(new BatchWriteCommand({ RequestItems: { [table.name]: batch.map((Item) => ({ PutRequest: { Item } })) } }))));
  }
  return ids;
}

async function inboxCount(endpoint: string): Promise<number> {
  return Store.parse(await (await fetch(`${endpoint}/store`)).json()).emails.length;
}

async function clearInbox(endpoint: string): Promise<void> {
  await fetch(`${endpoint}/clear-store`, { method: 'POST' });
}

export async function run(): Promise<BenchReport> {
  const RECIPIENTS = sizeFromEnvironment('BENCH_SEND_RECIPIENTS', 3_000, 1);
  const WARM_UP = sizeFromEnvironment('BENCH_SEND_WARM_UP', RECIPIENTS, 0);
  const db = await startDynamoDbLocal({ port: await freePort() });
  const ses = await startSesEmulator({ port: 0 });
  const events = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  try {
    await ensureTable(db.endpoint, 'bench-send');
    const table: Table = { doc: createDocumentClient(db.endpoint), name: 'bench-send' };
    const ids = await seed(table, 'all-customers', 'bench', RECIPIENTS);
    const warmIds = await seed(table, 'warm-up', 'warm', WARM_UP);
    const sesClient = createSesClient(ses.endpoint);
    const templates = new CampaignTemplates(join(process.cwd(), 'config', 'templates'), ['monthly-newsletter'], 'en');
    const shop = { name: 'Norðurljós Outdoor', url: 'https://shop.example', baseCurrency: 'EUR' };
    const now = new Date('2026-12-01T10:00:30Z');

    // Baseline: the same emails, rendered up front, sent with bare SendEmail calls, IN_FLIGHT at a time.
    const renderAll = (customers: readonly string[]) =>
      customers.map((id, i) => {
        const profile = profileFromItem({ customerId: id, customerName: `Customer ${i}`, orderCount: 1 });
        return { to: `${id}@example.com`, ...templates.render('monthly-newsletter', 'en', buildTemplateContext({ profile, locale: 'en', shop, campaignId: newsletter.id, unsubscribeUrl: `https://shop.example/unsubscribe?token=${id}` })) };
      });
    const bare = async (emails: ReturnType<typeof renderAll>) => {
      await clearInbox(ses.endpoint);
      let next = 0;
      const run = await timedWithCpu(async () => {
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            for (let email = emails[next++]; email !== undefined; email = emails[next++]) {
              await sesClient.send(
                new SendEmailCommand({
                  FromEmailAddress: FROM,
                  Destination: { ToAddresses: [email.to] },
                  Content: { Simple: { Subject: { Data: email.subject }, Body: { Html: { Data: email.html }, Text: { Data: email.text } } } },
                }),
              );
            }
          }),
        );
      }, { dynamodb: db.javaPid });
      return { seconds: run.seconds, cpuMs: run.cpuMs, sent: await inboxCount(ses.endpoint) };
    };

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
        policy: { frequencyCap: { maxEmails: 2, perDays: 7 }, quietHours: undefined, shopTimeZone: 'UTC' },
        fallbackLocale: 'en' as const,
        shop,
        publicBaseUrl: 'https://shop.example',
        signingKey: 'bench-key',
        now: () => now,
        // The bench measures capacity; in production the pacer holds the configured SES rate.
        pacer: createPacer(1_000_000),
      },
      due: { table, queue, now: () => now },
    };
    const kinship = async (campaignId: string) => {
      await clearInbox(ses.endpoint);
      const run = await timedWithCpu(async () => {
        await planNewsletter({ table, queue, campaigns, now: () => now }, campaignId, '2026-12-01T10:00:00Z');
        await Promise.all(
          Array.from({ length: WORKERS }, async () => {
            for (let batch = queued.splice(0, PER_BATCH); batch.length > 0; batch = queued.splice(0, PER_BATCH)) {
              const result = await processSendBatch(deps, batch);
              if (result.batchItemFailures.length > 0) throw new Error(`${result.batchItemFailures.length} sends failed: ${JSON.stringify(result.outcomes)}`);
            }
          }),
        );
      }, { dynamodb: db.javaPid });
      return { seconds: run.seconds, cpuMs: run.cpuMs, sent: await inboxCount(ses.endpoint) };
    };

    // Warm-up (untimed): the JVM behind DynamoDB Local spends its first seconds compiling; SES in AWS is not cold.
    if (warmIds.length > 0) {
      await bare(renderAll(warmIds));
      await kinship(warmup.id);
    }
    const baseline = await bare(renderAll(ids));
    const pipeline = await kinship(newsletter.id);
    if (baseline.sent !== RECIPIENTS || pipeline.sent !== RECIPIENTS) throw new Error(`expected ${RECIPIENTS} emails each way, got ${baseline.sent} bare and ${pipeline.sent} through Kinship`);

    const bareRate = Math.round(RECIPIENTS / baseline.seconds);
    const kinshipRate = Math.round(RECIPIENTS / pipeline.seconds);
    const ratio = Number((kinshipRate / bareRate).toFixed(2));
    /** CPU milliseconds per email, per process: where the time goes when the machine, not a wait, is the limit. */
    const perEmail = (cpuMs: Record<string, number>) => Object.fromEntries(Object.entries(cpuMs).map(([name, ms]) => [name, Number((ms / RECIPIENTS).toFixed(3))]));
    const cpuText = (cpuMs: Record<string, number>) => Object.entries(perEmail(cpuMs)).map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(', ');
    // What the machine allows at best: every core busy with the measured CPU per email (all processes together).
    const cores = machineInfo().cores;
    const cpuPerEmail = Object.values(pipeline.cpuMs).reduce((sum, ms) => sum + ms, 0) / RECIPIENTS;
    const ceilingRate = Math.round((cores * 1000) / cpuPerEmail);
    const ceilingRatio = Number((ceilingRate / bareRate).toFixed(2));
    return {
      summary: [
        `${RECIPIENTS.toLocaleString('en-US')} recipients, ${IN_FLIGHT} requests in flight both ways (${WORKERS} consumers × batches of ${PER_BATCH})`,
        `  bare SESv2 SendEmail:                       ${bareRate} emails/s (${baseline.seconds.toFixed(2)} s)`,
        `  planner → queue → sender → SES (exactly once): ${kinshipRate} emails/s (${pipeline.seconds.toFixed(2)} s)`,
        `  CPU ms per email — bare: ${cpuText(baseline.cpuMs)}; Kinship: ${cpuText(pipeline.cpuMs)}`,
        `  CPU-bound ceiling on this machine: ${cores} cores / ${cpuPerEmail.toFixed(2)} ms per email = ${ceilingRate} emails/s (ratio ${ceilingRatio})`,
        `  ratio ${ratio} (goal ≥ ${GOAL}: ${ratio >= GOAL ? 'met' : 'NOT met'})`,
      ],
      result: {
        recipients: RECIPIENTS,
        consumers: WORKERS,
        batchSize: PER_BATCH,
        inFlight: IN_FLIGHT,
        warmUpRecipients: warmIds.length,
        bareSeconds: Number(baseline.seconds.toFixed(3)),
        kinshipSeconds: Number(pipeline.seconds.toFixed(3)),
        bareEmailsPerSec: bareRate,
        kinshipEmailsPerSec: kinshipRate,
        cpuMsPerEmail: { bare: perEmail(baseline.cpuMs), kinship: perEmail(pipeline.cpuMs) },
        cpuBoundCeiling: { emailsPerSec: ceilingRate, ratio: ceilingRatio },
        ratio,
        goal: GOAL,
        setup: 'DynamoDB Local (in memory, -sharedDb, no streams), aws-ses-v2-local and a PutEvents endpoint, all in this process or on this machine',
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
