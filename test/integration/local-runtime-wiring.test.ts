/**
 * The local runtime's wiring from a topology: event rules, schedules and queues, each driving in-process
 * handlers. Events and messages go in through the real AWS SDK clients (PutEvents, SQS) against the
 * runtime's endpoints; time is a manual clock, so visibility timeouts and cron times are stepped through
 * with advanceTo. DynamoDB is the suite's shared DynamoDB Local (nothing here touches the table).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import type { FunctionSpec, Topology } from '#shared/topology.ts';
import type { LambdaHandler } from '#local/functions.ts';
import { silentLog } from '#local/local-log.ts';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';

const START = new Date('2026-12-01T08:30:00Z');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

const BusEvent = z.object({ id: z.string(), source: z.string(), 'detail-type': z.string(), detail: z.object({ ref: z.string() }).loose() });
const ScheduledEvent = z.object({ source: z.literal('aws.scheduler'), time: z.string(), resources: z.array(z.string()) });
const SqsEvent = z.object({
  Records: z.array(
    z.object({ messageId: z.string(), body: z.string(), attributes: z.object({ ApproximateReceiveCount: z.string() }), eventSourceARN: z.string() }),
  ),
});

const base: Pick<FunctionSpec, 'feature' | 'memoryMb' | 'timeoutSeconds' | 'access'> = { feature: 'test', memoryMb: 128, timeoutSeconds: 5, access: {} };
const topology: Topology = {
  functions: [
    {
      ...base,
      name: 'big-orders',
      description: 'gets shop orders of 100 or more that are not test orders',
      triggers: [
        {
          kind: 'event',
          name: 'big-orders',
          pattern: {
            source: ['shop.test'],
            'detail-type': [{ prefix: 'Order' }],
            detail: { total: [{ numeric: ['>=', 100, '<', 1000] }], channel: [{ 'anything-but': ['test'] }] },
          },
        },
      ],
    },
    {
      ...base,
      name: 'win-back',
      description: 'a campaign rule with an input transformer',
      triggers: [
        {
          kind: 'event',
          name: 'campaign-win-back',
          pattern: { source: ['shop.test'], 'detail-type': ['SegmentEntered'], detail: { segment: ['lapsed'] } },
          input: { campaignId: 'win-back' },
        },
      ],
    },
    { ...base, name: 'flaky-target', description: 'always fails', triggers: [{ kind: 'event', name: 'flaky', pattern: { source: ['shop.flaky'] } }] },
    {
      ...base,
      name: 'morning-report',
      description: 'daily at 09:00 UTC',
      triggers: [{ kind: 'schedule', name: 'morning-report', expression: 'cron(0 9 * * ? *)' }],
    },
    { ...base, name: 'poison-consumer', description: 'throws on every message', triggers: [{ kind: 'queue', queue: 'poison', batchSize: 10 }] },
    { ...base, name: 'partial-consumer', description: 'fails one message once', triggers: [{ kind: 'queue', queue: 'partial', batchSize: 10 }] },
  ],
  queues: [
    { name: 'poison', visibilityTimeoutSeconds: 30, maxReceiveCount: 3 },
    { name: 'partial', visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
  ],
};

const received: {
  bigOrders: z.infer<typeof BusEvent>[];
  winBack: unknown[];
  flakyAttempts: number;
  reports: string[];
  poison: string[];
  partial: { body: string; receiveCount: string }[][];
} = { bigOrders: [], winBack: [], flakyAttempts: 0, reports: [], poison: [], partial: [] };

const handlers: Record<string, LambdaHandler> = {
  'big-orders': async (event) => void received.bigOrders.push(BusEvent.parse(event)),
  'win-back': async (event) => void received.winBack.push(event),
  'flaky-target': async () => {
    received.flakyAttempts++;
    throw new Error('target down');
  },
  'morning-report': async (event) => void received.reports.push(ScheduledEvent.parse(event).time),
  'poison-consumer': async (event) => {
    for (const record of SqsEvent.parse(event).Records) received.poison.push(record.attributes.ApproximateReceiveCount);
    throw new Error('cannot handle this message');
  },
  'partial-consumer': async (event): Promise<SQSBatchResponse> => {
    const records = SqsEvent.parse(event).Records;
    received.partial.push(records.map((r) => ({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount })));
    const failed = records.filter((r) => r.body === 'b' && r.attributes.ApproximateReceiveCount === '1');
    return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
  },
};

let runtime: LocalRuntime;
let events: EventBridgeClient;
let sqs: SQSClient;

beforeAll(async () => {
  runtime = await startLocalRuntime({
    topology,
    handlers,
    dynamoDbEndpoint: inject('dynamodbEndpoint'),
    tableName: `wiring-${process.pid}`,
    ports: { http: 0, ses: 0, events: 0, sqs: 0 },
    clock: { mode: 'manual', now: START },
    busRetryDelaysMs: [0, 0],
    log: silentLog,
  });
  events = new EventBridgeClient({ endpoint: runtime.urls.events, region: 'eu-west-1', credentials });
  sqs = new SQSClient({ endpoint: runtime.urls.sqs, region: 'eu-west-1', credentials });
});

afterAll(async () => {
  events.destroy();
  sqs.destroy();
  await runtime.stop();
});

const at = (offsetSeconds: number) => new Date(runtime.clock.now().getTime() + offsetSeconds * 1000);

describe('event rules', () => {
  it('delivers through PutEvents only the events the rule pattern matches', async () => {
    const entry = (ref: string, source: string, detailType: string, detail: Record<string, unknown>) => ({
      Source: source,
      DetailType: detailType,
      Detail: JSON.stringify({ ref, ...detail }),
      EventBusName: 'kinship',
    });
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          entry('match', 'shop.test', 'OrderPlaced', { total: 150, channel: 'web' }),
          entry('lower-bound', 'shop.test', 'OrderShipped', { total: 100, channel: 'pos' }),
          entry('too-small', 'shop.test', 'OrderPlaced', { total: 99.5, channel: 'web' }),
          entry('too-big', 'shop.test', 'OrderPlaced', { total: 1000, channel: 'web' }),
          entry('test-channel', 'shop.test', 'OrderPlaced', { total: 150, channel: 'test' }),
          entry('not-an-order', 'shop.test', 'RefundIssued', { total: 150, channel: 'web' }),
          entry('other-source', 'shop.other', 'OrderPlaced', { total: 150, channel: 'web' }),
          entry('total-as-text', 'shop.test', 'OrderPlaced', { total: '150', channel: 'web' }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    await runtime.idle();
    expect(received.bigOrders.map((e) => e.detail.ref).sort()).toEqual(['lower-bound', 'match']);
    expect(received.bigOrders.find((e) => e.detail.ref === 'match')).toMatchObject({
      source: 'shop.test',
      'detail-type': 'OrderPlaced',
      detail: { total: 150 },
    });
  });

  it('gives a rule with an input transformer `{ ...input, event }`', async () => {
    await events.send(
      new PutEventsCommand({
        Entries: ['lapsed', 'gold'].map((segment) => ({
          Source: 'shop.test',
          DetailType: 'SegmentEntered',
          Detail: JSON.stringify({ ref: segment, segment }),
        })),
      }),
    );
    await runtime.idle();
    expect(received.winBack).toEqual([
      {
        campaignId: 'win-back',
        event: expect.objectContaining({ source: 'shop.test', 'detail-type': 'SegmentEntered', detail: { ref: 'lapsed', segment: 'lapsed' } }),
      },
    ]);
  });

  it('refuses a PutEvents call of more than 10 entries, as EventBridge does', async () => {
    const entries = Array.from({ length: 11 }, (_, i) => ({
      Source: 'shop.test',
      DetailType: 'OrderPlaced',
      Detail: JSON.stringify({ ref: `batch-${i}`, total: 150, channel: 'web' }),
    }));
    await expect(events.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({ name: 'ValidationException' });
    await runtime.idle();
    expect(received.bigOrders.filter((e) => e.detail.ref.startsWith('batch-'))).toEqual([]);
  });

  it('retries a failing target twice, then records the delivery as failed', async () => {
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'shop.flaky', DetailType: 'Anything', Detail: '{}' }] }));
    await runtime.idle();
    expect(received.flakyAttempts).toBe(3);
    expect(runtime.bus.deliveries.filter((d) => d.rule === 'flaky')).toEqual([expect.objectContaining({ outcome: 'failed', attempts: 3 })]);
  });
});

describe('schedules', () => {
  it('fires a cron schedule exactly at its times as the clock advances, and not before', async () => {
    expect(await runtime.advanceTo(new Date('2026-12-01T08:59:59Z'))).toEqual([]);
    const fired = await runtime.advanceTo(new Date('2026-12-03T10:00:00Z'));
    const times = ['2026-12-01T09:00:00.000Z', '2026-12-02T09:00:00.000Z', '2026-12-03T09:00:00.000Z'];
    expect(fired.map((f) => [f.schedule, f.scheduledTime, f.outcome])).toEqual(times.map((t) => ['morning-report', t, 'succeeded']));
    expect(received.reports).toEqual(times);
    expect(runtime.clock.now().toISOString()).toBe('2026-12-03T10:00:00.000Z');
  });
});

describe('queues', () => {
  it('retries a throwing consumer after the visibility timeout and moves the message to the DLQ after maxReceiveCount', async () => {
    const queueUrl = runtime.queues.url('poison');
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'cannot be processed' }));
    await runtime.idle();
    expect(received.poison).toEqual(['1']);

    await runtime.advanceTo(at(29));
    expect(received.poison).toEqual(['1']);
    await runtime.advanceTo(at(2));
    expect(received.poison).toEqual(['1', '2']);
    await runtime.advanceTo(at(31));
    expect(received.poison).toEqual(['1', '2', '3']);
    expect(runtime.queues.deadLetters('poison')).toEqual([]);

    await runtime.advanceTo(at(31));
    expect(received.poison).toEqual(['1', '2', '3']);
    expect(runtime.queues.deadLetters('poison').map((m) => [m.messageId, m.body])).toEqual([[sent.MessageId, 'cannot be processed']]);
    expect(runtime.queues.stats('poison')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('retries only the messages a consumer reports in batchItemFailures', async () => {
    const queueUrl = runtime.queues.url('partial');
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })) }));
    await runtime.idle();
    expect(received.partial).toEqual([
      [
        { body: 'a', receiveCount: '1' },
        { body: 'b', receiveCount: '1' },
        { body: 'c', receiveCount: '1' },
      ],
    ]);

    await runtime.advanceTo(at(61));
    expect(received.partial.slice(1)).toEqual([[{ body: 'b', receiveCount: '2' }]]);
    expect(runtime.queues.stats('partial')).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(runtime.queues.deadLetters('partial')).toEqual([]);
  });
});
