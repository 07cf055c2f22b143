import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  correlationIdOfEvent,
  currentCorrelationId,
  runInInvocationScope,
  setCorrelationId,
  withCorrelationId,
  withEventMetadata,
} from '#shared/observability/correlation.ts';
import { sendOutcomeMetric } from '#shared/observability/kinship-metrics.ts';

type Observability = typeof import('#shared/observability/observability.ts');
let observability: Observability;

beforeAll(async () => {
  // As the stack configures a function: the namespace is read when the module is first imported.
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'KinshipTest');
  observability = await import('#shared/observability/observability.ts');
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'KinshipTest');
});

const apiRequest = (headers: Record<string, string>) => ({
  headers,
  requestContext: { requestId: 'api-req-1', http: { method: 'POST' } },
  rawPath: '/api/purchases',
});
const busEvent = (detail: Record<string, unknown>) => ({ id: 'evt-1', source: 'kinship', 'detail-type': 'PurchaseRecorded', detail });
const sqsEvent = (...bodies: Record<string, unknown>[]) => ({
  Records: bodies.map((body, i) => ({ messageId: `m${i}`, body: JSON.stringify(body), attributes: { ApproximateReceiveCount: '1' } })),
});

describe('the correlation id an invocation continues', () => {
  it("is the caller's x-correlation-id header when it is a sane id", () => {
    expect(correlationIdOfEvent(apiRequest({ 'x-correlation-id': 'order-4711.retry:2' }))).toBe('order-4711.retry:2');
  });

  it.each([
    ['an email address', 'someone@example.com'],
    ['spaces', 'a b'],
    ['129 characters', 'x'.repeat(129)],
    ['nothing', ''],
  ])('falls back to the API request id when the header holds %s', (_, value) => {
    expect(correlationIdOfEvent(apiRequest({ 'x-correlation-id': value }))).toBe('api-req-1');
  });

  it('is the published metadata of an EventBridge event, else the event id', () => {
    expect(correlationIdOfEvent(busEvent({ orderId: 'o1', metadata: { correlationId: 'purchase-1' } }))).toBe('purchase-1');
    expect(correlationIdOfEvent(busEvent({ orderId: 'o1' }))).toBe('evt-1');
  });

  it("reads the event inside a campaign rule's { campaignId, event } input", () => {
    expect(correlationIdOfEvent({ campaignId: 'welcome', event: busEvent({ metadata: { correlationId: 'purchase-2' } }) })).toBe('purchase-2');
  });

  it('is the id all messages of an SQS batch share, and none when they differ', () => {
    expect(correlationIdOfEvent(sqsEvent({ correlationId: 'a' }, { correlationId: 'a' }))).toBe('a');
    expect(correlationIdOfEvent(sqsEvent({ correlationId: 'a' }, { correlationId: 'b' }))).toBeUndefined();
    expect(correlationIdOfEvent({ time: '2026-12-01T00:00:00Z' })).toBeUndefined();
  });
});

describe('correlation scopes', () => {
  it('keep concurrent invocations in one process apart (the local runtime)', async () => {
    const seen = await Promise.all(
      ['first', 'second'].map((id) =>
        runInInvocationScope(async () => {
          setCorrelationId(id);
          await new Promise((resolve) => setTimeout(resolve, 5));
          return [currentCorrelationId(), withEventMetadata({ orderId: 'o' })];
        }),
      ),
    );
    expect(seen).toEqual([
      ['first', { orderId: 'o', metadata: { correlationId: 'first' } }],
      ['second', { orderId: 'o', metadata: { correlationId: 'second' } }],
    ]);
    expect(currentCorrelationId()).toBeUndefined();
  });

  it('give one email of a batch its own id, keeping the enclosing one when it has none', () => {
    runInInvocationScope(() => {
      setCorrelationId('batch');
      expect(withCorrelationId('email-1', currentCorrelationId)).toBe('email-1');
      expect(withCorrelationId(undefined, currentCorrelationId)).toBe('batch');
    });
  });

  it('add no metadata to an event published outside any (the CLI)', () => {
    expect(withEventMetadata({ orderId: 'o' })).toEqual({ orderId: 'o' });
  });
});

const Emf = z
  .object({ _aws: z.object({ CloudWatchMetrics: z.array(z.object({ Namespace: z.string(), Metrics: z.array(z.object({ Name: z.string() })) })) }) })
  .loose();

function context(): Context {
  return {
    awsRequestId: 'lambda-req-1',
    functionName: 'kinship-test',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:0:function:kinship-test',
    memoryLimitInMB: '256',
    functionVersion: '$LATEST',
    logGroupName: 'g',
    logStreamName: 's',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 1000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Runs a handler under observed() that counts what `count` says, and returns the EMF documents it printed. */
async function emfOf(count: (o: Observability) => void): Promise<z.output<typeof Emf>[]> {
  const printed: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  const handler = middy()
    .use(observability.observed())
    .handler(async () => {
      count(observability);
      return 'ok';
    });
  await handler({}, context());
  vi.restoreAllMocks();
  return printed
    .flatMap((text) => text.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => Emf.parse(JSON.parse(line)));
}

describe('metrics', () => {
  it('are published once per invocation as EMF in the configured namespace, each count summed', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const [document, ...more] = await emfOf((o) => {
      o.countMetric('PurchaseRecorded');
      o.countMetric('PurchaseRecorded');
      o.countSendBatch({ sent: 3, 'skipped:frequency-cap': 1 }, ['1', '2', undefined]);
    });
    expect(more).toEqual([]);
    expect(document?._aws.CloudWatchMetrics[0]?.Namespace).toBe('KinshipTest');
    expect(document).toMatchObject({ PurchaseRecorded: 2, EmailsSent: 3, EmailsSkippedFrequencyCap: 1, SendRedeliveries: 1, service: 'kinship' });
  });

  it('print nothing where metrics are off (locally, in tests, in the CLI)', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    expect(await emfOf((o) => o.countMetric('PurchaseRecorded'))).toEqual([]);
  });

  it('name each send outcome in PascalCase under Emails', () => {
    expect(['sent', 'skipped:no-consent', 'skipped:frequency-cap', 'throttled'].map(sendOutcomeMetric)).toEqual([
      'EmailsSent',
      'EmailsSkippedNoConsent',
      'EmailsSkippedFrequencyCap',
      'EmailsThrottled',
    ]);
  });
});
