import { EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { publishEvents, type EventBus } from '#shared/events/publish-events.ts';
import { SegmentEntered } from '#shared/events/segment-entered.ts';
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
});
