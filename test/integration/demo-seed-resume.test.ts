/**
 * `npm start` always starts: a demo seed interrupted part-way (here: while posting orders, then again while
 * customers confirm) resumes on the next start — an hour later on a shifted clock — with the very same shop,
 * and a start after a finished seed seeds nothing. Real handlers, a persisted DynamoDB Local in a temporary
 * state directory, the same ports on every start (the handlers keep their clients per process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '#local/free-port.ts';
import { silentLog } from '#local/local-log.ts';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '#local/runtime.ts';
import { generateDemoShop, type SeedStage } from '#local/seed-demo-shop.ts';
import { readSeedAnchor, statePaths } from '#local/state.ts';
import { createDocumentClient } from '#shared/table/table-client.ts';

const HOUR = 3_600_000;
const stateDir = mkdtempSync(join(tmpdir(), 'kinship-seed-resume-'));
let ports: NonNullable<LocalRuntimeOptions['ports']>;
let cognitoPort: number;

class Interrupted extends Error {}

/** Starts the runtime as npm start does, on a clock `hoursLater` ahead; `stopAt` interrupts the seed there. */
function start(hoursLater: number, stopAt?: { stage: SeedStage; done: number }): Promise<LocalRuntime> {
  return startLocalRuntime({
    stateDir,
    ports,
    cognitoPort,
    seed: true,
    tickSchedules: false,
    clock: { mode: 'real', now: new Date(Date.now() + hoursLater * HOUR) },
    log: silentLog,
    onSeedProgress: (done, _total, stage) => {
      // As a Ctrl-C would: the start fails there and then, with requests of other workers still in flight.
      if (stopAt && stage === stopAt.stage && done === stopAt.done) throw new Interrupted(`interrupted after ${done} ${stage}`);
    },
  });
}

async function scanAll(runtime: LocalRuntime, filter: string, values: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const doc = createDocumentClient(runtime.urls.dynamodb);
  const items: Record<string, unknown>[] = [];
  try {
    let page: ScanCommandOutput | undefined;
    do {
      page = await doc.send(
        new ScanCommand({
          TableName: runtime.tableName,
          FilterExpression: filter,
          ExpressionAttributeValues: values,
          ConsistentRead: true,
          ExclusiveStartKey: page?.LastEvaluatedKey,
        }),
      );
      items.push(...(page.Items ?? []));
    } while (page.LastEvaluatedKey);
  } finally {
    doc.destroy();
  }
  return items;
}

const demoOrders = (runtime: LocalRuntime) => scanAll(runtime, 'begins_with(PK, :order) AND SK = :sk', { ':order': 'ORDER#DEMO-', ':sk': 'ORDER' });

let anchor: Date | undefined;
let resumed: LocalRuntime | undefined;
let orderIdsAfterResume: string[] = [];

beforeAll(async () => {
  const free: number[] = [];
  while (free.length < 6) {
    const port = await freePort();
    if (!free.includes(port)) free.push(port);
  }
  const [http = 0, dynamodb = 0, ses = 0, events = 0, sqs = 0, cognito = 0] = free;
  ports = { http, dynamodb, ses, events, sqs };
  cognitoPort = cognito;

  // 1. The first start is interrupted while posting orders, 2. the next (an hour later) while customers confirm.
  await expect(start(0, { stage: 'orders', done: 60 })).rejects.toBeInstanceOf(Interrupted);
  anchor = readSeedAnchor(statePaths(stateDir));
  await expect(start(1, { stage: 'customers', done: 5 })).rejects.toBeInstanceOf(Interrupted);
  // 3. Two hours later it finishes.
  resumed = await start(2);
  await resumed.idle();
  orderIdsAfterResume = (await demoOrders(resumed)).map((item) => String(item.orderId)).sort();
}, 600_000);

afterAll(async () => {
  await resumed?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('a demo seed interrupted twice, then started again hours later on a shifted clock', () => {
  it("recorded the first start's minute as the anchor before posting, and kept it", () => {
    expect(anchor).toBeDefined();
    expect((anchor?.getTime() ?? 1) % 60_000).toBe(0);
    expect(Date.now() - (anchor?.getTime() ?? 0)).toBeLessThan(HOUR);
    expect(readSeedAnchor(statePaths(stateDir))?.toISOString()).toBe(anchor?.toISOString());
  });

  it('starts, with every order of the anchored demo shop in the table exactly once', () => {
    const expected = generateDemoShop({ now: anchor ?? new Date(0) })
      .purchases.map((p) => p.orderId)
      .sort();
    expect(resumed?.seed?.orders).toBe(expected.length);
    expect(orderIdsAfterResume).toEqual(expected);
  });

  it('has the chosen customers confirmed — those confirmed before the interruption included — each with an incentive', async () => {
    const shop = generateDemoShop({ now: anchor ?? new Date(0) });
    const chosen = shop.customers.slice(1).filter((_, i) => i % 4 !== 3).length;
    const runtime = resumed;
    if (!runtime) throw new Error('the resumed start failed');
    const confirmed = await scanAll(runtime, 'SK = :sk AND attribute_exists(optInConfirmedAt)', { ':sk': 'SUBMISSION' });
    expect(runtime.seed?.confirmed).toBe(chosen);
    expect(confirmed).toHaveLength(chosen);
    // Pool-drawn incentives too: the demo pool codes were loaded before anyone confirmed.
    const incentives = await scanAll(runtime, 'begins_with(PK, :incentive)', { ':incentive': 'INCENTIVE#DEMO-' });
    expect(incentives).toHaveLength(chosen);
  });

  it('seeds nothing on a later start, and the shop stays as it was', async () => {
    await resumed?.stop();
    resumed = await start(3);
    expect(resumed.seed).toBeUndefined();
    expect(resumed.demoFormUrl).toMatch(/\/form\//);
    expect((await demoOrders(resumed)).map((item) => String(item.orderId)).sort()).toEqual(orderIdsAfterResume);
  }, 240_000);
});
