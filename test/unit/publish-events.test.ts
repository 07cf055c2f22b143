import { EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { publishEvents, type EventBus } from '#shared/events/publish-events.ts';
import { SegmentEntered } from '#shared/events/segment-entered.ts';
import { runInInvocationScope, setCorrelationId, withCorrelationId } from '#shared/observability/correlation.ts';
import { offlineClientConfig } from '#test/support/scripted-table.ts';

const entered = (n: number) =>
  SegmentEntered.create({ customerId: `k_${n}`, segment: 'gold', reason: 'top 10%', runId: 'r1', asOf: '2026-01-01T00:00:00.000Z' });

/** A bus whose PutEvents fails the entries `failing` picks on each call (by call number), recording what each call sent. */
function scriptedBus(failing: (call: number, entries: PutEventsRequestEntry[]) => Set<number>): { bus: EventBus; sent: string[][] } {
  const sent: string[][] = [];
  const client = new EventBridgeClient(offlineClientConfig);
  client.middlewareStack.add(
    () => async (args) => {
      const entries: PutEventsRequestEntry[] = Reflect.get(Object(args.input), 'Entries') ?? [];
      sent.push(entries.map((entry) => String(JSON.parse(entry.Detail ?? '{}').customerId)));
      const failed = failing(sent.length, entries);
      const Entries = entries.map((_, index) =>
        failed.has(index) ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e${index}` },
      );
      return { output: { $metadata: {}, FailedEntryCount: failed.size, Entries }, response: {} };
    },
    { step: 'initialize', priority: 'high', name: 'scriptedBus' },
  );
  return { bus: { client, name: 'kinship' }, sent };
}

describe('publishEvents', () => {
  it('sends 10 entries a call and sends again only the entries EventBridge reported as failed', async () => {
    const { bus, sent } = scriptedBus((call) => (call === 1 ? new Set([2, 5]) : new Set()));
    await publishEvents(
      bus,
      Array.from({ length: 12 }, (_, n) => entered(n)),
    );
    expect(sent).toEqual([Array.from({ length: 10 }, (_, n) => `k_${n}`), ['k_2', 'k_5'], ['k_10', 'k_11']]);
  });

  it('throws naming how many events still fail after the last attempt', async () => {
    const { bus, sent } = scriptedBus(() => new Set([0]));
    await expect(publishEvents(bus, [entered(1), entered(2)])).rejects.toThrow('PutEvents: 1 event(s) still failing after 4 attempts');
    expect(sent).toEqual([['k_1', 'k_2'], ['k_1'], ['k_1'], ['k_1']]);
  });

  it("puts each event's own correlation id in its metadata, and the invocation's id on events without one", async () => {
    const details: unknown[] = [];
    const client = new EventBridgeClient(offlineClientConfig);
    client.middlewareStack.add(
      () => async (args) => {
        const entries: PutEventsRequestEntry[] = Reflect.get(Object(args.input), 'Entries') ?? [];
        details.push(...entries.map((entry) => JSON.parse(entry.Detail ?? '{}')));
        return { output: { $metadata: {}, FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e${i}` })) }, response: {} };
      },
      { step: 'initialize', priority: 'high', name: 'recordingBus' },
    );
    // One send batch: two emails caused by two purchases, and one whose request carried no id.
    await runInInvocationScope(async () => {
      setCorrelationId('sqs-batch-request-id');
      await withCorrelationId(undefined, () =>
        publishEvents({ client, name: 'kinship' }, [
          { ...entered(1), correlationId: 'purchase-one' },
          { ...entered(2), correlationId: 'purchase-two' },
          entered(3),
        ]),
      );
    });
    expect(details).toEqual([
      expect.objectContaining({ customerId: 'k_1', metadata: { correlationId: 'purchase-one' } }),
      expect.objectContaining({ customerId: 'k_2', metadata: { correlationId: 'purchase-two' } }),
      expect.objectContaining({ customerId: 'k_3', metadata: { correlationId: 'sqs-batch-request-id' } }),
    ]);
  });
});
