import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type DomainEvent } from '#shared/events/event-definition.ts';
import { withEventMetadata } from '#shared/observability/correlation.ts';
import { countMetric, traced } from '#shared/observability/observability.ts';
import { exponential, retryRemaining } from '#shared/runtime/retry.ts';
import { localCredentials } from '#shared/table/table-client.ts';

/** Where events go: a client and the bus name. */
export interface EventBus {
  client: EventBridgeClient;
  name: string;
}

const PUT_EVENTS_MAX_ENTRIES = 10;
const MAX_ATTEMPTS = 4;

export function createEventBridgeClient(endpoint = process.env.EVENTBRIDGE_ENDPOINT): EventBridgeClient {
  return traced(new EventBridgeClient(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'eu-west-1', credentials: localCredentials() } : {}));
}

export function busFromEnvironment(): EventBus {
  const name = process.env.EVENT_BUS_NAME;
  if (!name) throw new Error('EVENT_BUS_NAME is not set: the function cannot publish events');
  return { client: createEventBridgeClient(), name };
}

/**
 * Publishes events in batches of 10 (the PutEvents limit), retrying only the entries EventBridge reports as failed.
 * Throws if some entries still fail after the retries, naming how many.
 */
export async function publishEvents(bus: EventBus, events: DomainEvent[], now = new Date()): Promise<void> {
  for (let i = 0; i < events.length; i += PUT_EVENTS_MAX_ENTRIES) {
    const entries: PutEventsRequestEntry[] = events.slice(i, i + PUT_EVENTS_MAX_ENTRIES).map((event) => ({
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(withEventMetadata(event.detail, event.correlationId)),
      EventBusName: bus.name,
      Time: now,
    }));
    await retryRemaining(
      entries,
      async (pending) => {
        const result = await bus.client.send(new PutEventsCommand({ Entries: [...pending] }));
        if (!result.FailedEntryCount) return [];
        const outcomes = result.Entries ?? [];
        return pending.filter((_, index) => outcomes[index]?.ErrorCode !== undefined);
      },
      {
        attempts: MAX_ATTEMPTS,
        backoff: exponential(50),
        describe: (left, attempts) => `PutEvents: ${left.length} event(s) still failing after ${attempts} attempts`,
      },
    );
  }
  // Every domain event is counted under its own name (PurchaseRecorded, SegmentEntered, EmailSent, …).
  for (const event of events) countMetric(event.detailType);
}
