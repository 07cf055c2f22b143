import type { ImportStore, RecordedOrder } from '#shared/imports/import-store.ts';

const LOOKUP_BATCH = 100;

/**
 * Phase A of the import, run while the file is still being read: each order id is looked up (BatchGetItem, 100
 * ids a call) as soon as its first row is parsed, so the table works while the CSV is parsed instead of after it.
 * At most `limit` lookups are in flight; `add` waits when they are, so memory stays bounded by the order ids.
 * Looking up an order that is later rejected costs one read and changes nothing.
 */
export class StreamingOrderLookup {
  private buffer: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly found = new Map<string, RecordedOrder>();
  private failure: { error: unknown } | undefined;
  private requested = 0;

  constructor(
    private readonly store: ImportStore,
    private readonly limit: number,
  ) {}

  /** Queues an order id (each id once); resolves at once unless the lookups in flight are at their limit. */
  async add(orderId: string): Promise<void> {
    this.buffer.push(orderId);
    if (this.buffer.length >= LOOKUP_BATCH) await this.flush();
  }

  /** Order ids handed to DynamoDB so far. */
  get checked(): number {
    return this.requested;
  }

  /** Waits for every lookup and returns the orders already in the table, by order id. Throws the first lookup error. */
  async finish(): Promise<Map<string, RecordedOrder>> {
    await this.flush();
    await Promise.all(this.inFlight);
    if (this.failure !== undefined) throw this.failure.error;
    return this.found;
  }

  private async flush(): Promise<void> {
    if (this.failure !== undefined) throw this.failure.error;
    if (this.buffer.length === 0) return;
    const ids = this.buffer;
    this.buffer = [];
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
    this.requested += ids.length;
    const lookup: Promise<void> = this.store
      .findRecordedOrders(ids)
      .then(
        (found) => {
          for (const [id, order] of found) this.found.set(id, order);
        },
        (error: unknown) => {
          this.failure ??= { error };
        },
      )
      .finally(() => this.inFlight.delete(lookup));
    this.inFlight.add(lookup);
  }
}
