/**
 * reliability/dynamodb-restart: a newsletter to thousands of customers through the local runtime (planner → SQS
 * queue → sender → SES emulator), with DynamoDB Local killed (SIGKILL, no shutdown) in the middle of the sending and
 * started again on the same data directory a few seconds later. The queue redelivers what failed (visibility
 * timeout, partial batch failures); whatever exhausted its receives is redriven from the dead-letter queue, as an
 * operator would. Once that settles every recipient must have exactly one email: 0 duplicates, 0 missing.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { isHeldOut } from '#shared/measurement/holdout.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { topology } from '#shared/topology.ts';
import { ensureTable, startDynamoDbLocal, type DynamoDbLocal } from '#local/dynamodb-local.ts';
import { seedSubscribers, subscriberEmail } from '../support/subscribers.ts';
import { deadLetterQueueName } from '#local/queues.ts';
import { repositoryRoot, startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import { freePort, machineInfo, sizeFromEnvironment } from '../bench-harness.ts';
import { formatCount } from '../support/reliability.ts';
import type { ReliabilityReport, ReliabilityScale } from './scenario.ts';

export const description = 'a newsletter with DynamoDB Local killed and restarted mid-send → 0 duplicate and 0 missing emails once redelivery settles';

const SIZES: Record<ReliabilityScale, number> = { full: 5_000, ci: 300 };
const CAMPAIGN = 'monthly-newsletter';
const QUEUE = 'send-email';
/** The configured SES rate (10/s) would make the full run ten minutes of waiting; the pacing is not what is tested. */
const SEND_RATE_PER_SECOND = 200;
/** DynamoDB Local is killed once this share of the audience has its email. */
const KILL_AT = 0.4;
const DOWN_FOR_MS = 3_000;
const SETTLE_ROUNDS = 12;

/** Only the sending path: no segmenter recomputing the audience, no campaign rules reacting to other events. */
const sendingTopology = {
  functions: topology.functions.filter((fn) => ['plan-campaign', 'send-email', 'dispatch-due-sends'].includes(fn.name)),
  queues: topology.queues,
};

const Store = z.object({ emails: z.array(z.object({ destination: z.object({ to: z.array(z.string()) }) })) });

async function emailsByRecipient(runtime: LocalRuntime): Promise<Map<string, number>> {
  const store = Store.parse(await (await fetch(new URL('/store', runtime.urls.ses))).json());
  const counts = new Map<string, number>();
  for (const email of store.emails) for (const to of email.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

/** A copy of config/ with a higher send rate, so the run is about the restart and not about waiting for the pacer. */
function configWithSendRate(dir: string): string {
  const copy = join(dir, 'config');
  cpSync(join(repositoryRoot(), 'config'), copy, { recursive: true });
  const file = join(copy, 'campaigns.yaml');
  const text = readFileSync(file, 'utf8');
  const changed = text.replace(/sendRatePerSecond:\s*\d+/, `sendRatePerSecond: ${SEND_RATE_PER_SECOND}`);
  if (changed === text) throw new Error('config/campaigns.yaml has no defaults.sendRatePerSecond to raise');
  writeFileSync(file, changed);
  return copy;
}

export async function run(scale: ReliabilityScale): Promise<ReliabilityReport> {
  const recipients = sizeFromEnvironment('RELIABILITY_RESTART_RECIPIENTS', SIZES[scale], 10);
  const dir = mkdtempSync(join(tmpdir(), 'kinship-restart-'));
  const dataDir = join(dir, 'dynamodb');
  const previousConfigDir = process.env.KINSHIP_CONFIG_DIR;
  process.env.KINSHIP_CONFIG_DIR = configWithSendRate(dir);
  const port = await freePort();
  const databases: DynamoDbLocal[] = [await startDynamoDbLocal({ port, dataDir })];
  let runtime: LocalRuntime | undefined;
  try {
    const endpoint = `http://127.0.0.1:${port}`;
    const tableName = 'restart';
    await ensureTable(endpoint, tableName);
    // Noon today in the campaigns' time zone (Reykjavik = UTC): quiet hours (21:00–08:00) hold nothing back.
    const noon = new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00.000Z`);
    runtime = await startLocalRuntime({
      topology: sendingTopology,
      dynamoDbEndpoint: endpoint,
      tableName,
      ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
      clock: { mode: 'real', now: noon },
      tickSchedules: false,
      seed: false,
    });
    const table: Table = { doc: createDocumentClient(endpoint), name: tableName };
    const audience = await seedSubscribers(table, 'all-customers', 'restart', recipients);
    table.doc.destroy();
    const expected = audience.filter((id) => !isHeldOut(CAMPAIGN, id, 10));
    return await restartMidSend(runtime, databases, { port, dataDir }, audience, expected, scale);
  } finally {
    await runtime?.stop();
    for (const db of databases) await db.stop();
    if (previousConfigDir === undefined) Reflect.deleteProperty(process.env, 'KINSHIP_CONFIG_DIR');
    else process.env.KINSHIP_CONFIG_DIR = previousConfigDir;
    rmSync(dir, { recursive: true, force: true });
  }
}

async function restartMidSend(
  runtime: LocalRuntime,
  databases: DynamoDbLocal[],
  db: { port: number; dataDir: string },
  audience: string[],
  expected: string[],
  scale: ReliabilityScale,
): Promise<ReliabilityReport> {
  const started = performance.now();
  const plan = runtime.functions.invoke('plan-campaign', { campaignId: CAMPAIGN, scheduledTime: runtime.clock.now().toISOString() });
  // Kill DynamoDB Local once part of the audience has its email (or the plan finished without that happening).
  const killAt = Math.ceil(expected.length * KILL_AT);
  let sentAtKill = 0;
  for (let polls = 0; polls < 3_000; polls++) {
    sentAtKill = [...(await emailsByRecipient(runtime)).values()].reduce((a, b) => a + b, 0);
    if (sentAtKill >= killAt) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const first = databases[0];
  if (first?.javaPid === undefined) throw new Error('DynamoDB Local did not report its Java pid; cannot kill it');
  process.kill(first.javaPid, 'SIGKILL');
  const killedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, DOWN_FOR_MS));
  databases.push(await startDynamoDbLocal({ port: db.port, dataDir: db.dataDir }));
  const downSeconds = (performance.now() - killedAt) / 1000;
  const planFailed = await plan.then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );

  // Let redelivery settle: wait for the queue to go idle, then move the clock past the visibility timeout so
  // messages whose receive failed come back; after the last round, redrive the dead-letter queue as an operator would.
  let redriven = 0;
  let rounds = 0;
  const visibilitySeconds = topology.queues.find((q) => q.name === QUEUE)?.visibilityTimeoutSeconds ?? 180;
  for (; rounds < SETTLE_ROUNDS; rounds++) {
    await runtime.idle();
    const stats = runtime.queues.stats(QUEUE);
    const dead = runtime.queues.deadLetters(QUEUE);
    if (stats.visible + stats.inFlight + stats.delayed === 0 && dead.length === 0) break;
    if (stats.inFlight + stats.delayed === 0 && dead.length > 0) {
      redriven += redrive(runtime);
      continue;
    }
    await runtime.jumpTo(new Date(runtime.clock.now().getTime() + (visibilitySeconds + 1) * 1000));
  }
  await runtime.idle();
  const seconds = (performance.now() - started) / 1000;

  const counts = await emailsByRecipient(runtime);
  const expectedSet = new Set(expected.map(subscriberEmail));
  const missing = expected.filter((id) => (counts.get(subscriberEmail(id)) ?? 0) === 0).length;
  const duplicated = [...counts.entries()].filter(([, n]) => n > 1);
  const unexpected = [...counts.keys()].filter((to) => !expectedSet.has(to)).length;
  const stillQueued = runtime.queues.stats(QUEUE);
  const stillDead = runtime.queues.deadLetters(QUEUE).length;

  const violations: string[] = [];
  if (planFailed !== undefined) violations.push(`the planner failed: ${planFailed}`);
  if (duplicated.length > 0) violations.push(`${duplicated.length} recipients got more than one email (e.g. ${duplicated[0]?.[1]} emails)`);
  if (missing > 0) violations.push(`${missing} of ${expected.length} recipients got no email`);
  if (unexpected > 0) violations.push(`${unexpected} emails went to addresses outside the audience (held out or unknown)`);
  if (stillQueued.visible + stillQueued.inFlight + stillQueued.delayed + stillDead > 0)
    violations.push(`after ${rounds} rounds the queue still holds ${JSON.stringify(stillQueued)} and its DLQ ${stillDead}`);
  if (sentAtKill >= expected.length) violations.push('every email was sent before DynamoDB Local was killed: the restart tested nothing (raise the size)');

  return {
    summary: [
      `${formatCount(audience.length)} customers, ${formatCount(expected.length)} to email (${audience.length - expected.length} held out); DynamoDB Local SIGKILLed after ${formatCount(sentAtKill)} emails, down ${downSeconds.toFixed(1)} s`,
      `settled in ${seconds.toFixed(1)} s after ${rounds} redelivery rounds; ${redriven} messages redriven from the DLQ`,
      `${duplicated.length} duplicate, ${missing} missing, ${unexpected} unexpected emails`,
    ],
    result: {
      date: new Date().toISOString(),
      machine: machineInfo(),
      scale,
      audience: audience.length,
      expectedEmails: expected.length,
      emailsAtKill: sentAtKill,
      downSeconds: Number(downSeconds.toFixed(2)),
      seconds: Number(seconds.toFixed(2)),
      redeliveryRounds: rounds,
      redrivenFromDlq: redriven,
      emailsSent: [...counts.values()].reduce((a, b) => a + b, 0),
      duplicates: duplicated.length,
      missing,
      unexpected,
      sendRatePerSecond: SEND_RATE_PER_SECOND,
    },
    violations,
  };
}

/** What "Start DLQ redrive" in the SQS console does: every dead letter back onto its source queue. */
function redrive(runtime: LocalRuntime): number {
  const dlq = runtime.queues.get(deadLetterQueueName(QUEUE));
  if (!dlq) return 0;
  const messages = dlq.messages.splice(0);
  for (const message of messages) runtime.queues.send(QUEUE, message.body, { messageAttributes: message.messageAttributes });
  return messages.length;
}
