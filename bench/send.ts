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
import { buildTemplateContext } from '#shared/campaigns/template-variables.ts';
import { createSesClient, sesEmailSender } from '#shared/email/send-email.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { profileFromItem } from '#shared/profiles/customer-profile.ts';
import { createPacer } from '#shared/sending/pacer.ts';
import { planNewsletter } from '#shared/sending/plan-occurrence.ts';
import { processSendBatch, type QueueRecord } from '#shared/sending/process-send-batch.ts';
import type { SendQueue } from '#shared/sending/send-queue.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { ensureTable, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { startPutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { startSesEmulator } from '#local/ses-emulator.ts';
import { freePort, machineInfo, timed, type BenchReport } from './bench-harness.ts';

export const description = 'sending: emails/s through planner → queue → sender → SES emulator vs bare SESv2 SendEmail calls to the same emulator';

const GOAL = 0.8;
const RECIPIENTS = Number(process.env.BENCH_SEND_RECIPIENTS ?? 3_000);
/** Consumers of the queue, each taking batches of ten (as Lambda's SQS poller runs them), each batch ten at a time. */
const WORKERS = 4;
const PER_BATCH = 10;
const IN_FLIGHT = WORKERS * PER_BATCH;
const FROM = 'hello@nordurljos.example';
const newsletter = CampaignSchema.parse({ id: 'monthly-newsletter', kind: 'newsletter', audience: { include: ['all-customers'] }, schedule: { expression: 'cron(0 10 1 * ? *)' } });
const Store = z.object({ emails: z.array(z.object({ destination: z.object({ to: z.array(z.string()) }) })) });

async function seed(table: Table, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `c_bench${String(i).padStart(6, '0')}`);
  const items = ids.flatMap((id, i) => [
    { ...keys.profile(id), customerId: id, customerName: `Customer ${i}`, locale: ['en', 'is', 'da', 'he', 'fi'][i % 5], confirmedEmail: `${id}@example.com`, marketingConsent: 'granted', orderCount: 1 + (i % 4), netSpendMinor: 1000 * (i % 90) },
    { ...keys.segmentMembership(id, 'all-customers'), ...keys.segmentMemberIndex('all-customers', id), entityType: 'SEGMENT_MEMBER', customerId: id, segment: 'all-customers' },
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
  const db = await startDynamoDbLocal({ port: await freePort() });
  const ses = await startSesEmulator({ port: 0 });
  const events = await startPutEventsEndpoint({ port: 0, onEvents: () => undefined });
  try {
    await ensureTable(db.endpoint, 'bench-send');
    const table: Table = { doc: createDocumentClient(db.endpoint), name: 'bench-send' };
    const ids = await seed(table, RECIPIENTS);
    const sesClient = createSesClient(ses.endpoint);
    const templates = new CampaignTemplates(join(process.cwd(), 'config', 'templates'), ['monthly-newsletter'], 'en');
    const shop = { name: 'Norðurljós Outdoor', url: 'https://shop.example', baseCurrency: 'EUR' };
    const now = new Date('2026-12-01T10:00:30Z');

    // Baseline: the same emails, rendered up front, sent with bare SendEmail calls, IN_FLIGHT at a time.
    const rendered = ids.map((id, i) => {
      const profile = profileFromItem({ customerId: id, customerName: `Customer ${i}`, orderCount: 1 });
      return { to: `${id}@example.com`, ...templates.render('monthly-newsletter', 'en', buildTemplateContext({ profile, locale: 'en', shop, campaignId: newsletter.id, unsubscribeUrl: `https://shop.example/unsubscribe?token=${id}` })) };
    });
    await clearInbox(ses.endpoint);
    let next = 0;
    const baseline = await timed(async () => {
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          for (let email = rendered[next++]; email !== undefined; email = rendered[next++]) {
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
    });
    const baselineSent = await inboxCount(ses.endpoint);

    // Kinship: plan the occurrence, then WORKERS consumers drain the queue in batches of ten.
    await clearInbox(ses.endpoint);
    const queued: QueueRecord[] = [];
    let sequence = 0;
    const queue: SendQueue = {
      async enqueue(requests) {
        for (const request of requests) queued.push({ messageId: String(++sequence), body: JSON.stringify(request) });
      },
    };
    const campaigns = new Map<string, Campaign>([[newsletter.id, newsletter]]);
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
    const pipeline = await timed(async () => {
      await planNewsletter({ table, queue, campaigns, now: () => now }, newsletter.id, '2026-12-01T10:00:00Z');
      await Promise.all(
        Array.from({ length: WORKERS }, async () => {
          for (let batch = queued.splice(0, 10); batch.length > 0; batch = queued.splice(0, 10)) {
            const result = await processSendBatch(deps, batch);
            if (result.batchItemFailures.length > 0) throw new Error(`${result.batchItemFailures.length} sends failed: ${JSON.stringify(result.outcomes)}`);
          }
        }),
      );
    });
    const pipelineSent = await inboxCount(ses.endpoint);
    if (baselineSent !== RECIPIENTS || pipelineSent !== RECIPIENTS) throw new Error(`expected ${RECIPIENTS} emails each way, got ${baselineSent} bare and ${pipelineSent} through Kinship`);

    const bareRate = Math.round(RECIPIENTS / baseline.seconds);
    const kinshipRate = Math.round(RECIPIENTS / pipeline.seconds);
    const ratio = Number((kinshipRate / bareRate).toFixed(2));
    return {
      summary: [
        `${RECIPIENTS.toLocaleString('en-US')} recipients, ${IN_FLIGHT} requests in flight both ways (${WORKERS} consumers × batches of ${PER_BATCH})`,
        `  bare SESv2 SendEmail:                       ${bareRate} emails/s (${baseline.seconds.toFixed(2)} s)`,
        `  planner → queue → sender → SES (exactly once): ${kinshipRate} emails/s (${pipeline.seconds.toFixed(2)} s)`,
        `  ratio ${ratio} (goal ≥ ${GOAL}: ${ratio >= GOAL ? 'met' : 'NOT met'})`,
      ],
      result: {
        recipients: RECIPIENTS,
        inFlight: IN_FLIGHT,
        bareSeconds: Number(baseline.seconds.toFixed(3)),
        kinshipSeconds: Number(pipeline.seconds.toFixed(3)),
        bareEmailsPerSec: bareRate,
        kinshipEmailsPerSec: kinshipRate,
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
