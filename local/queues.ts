/**
 * In-process SQS queues for the topology's `queues`, consumed the way Lambda's SQS event source mapping
 * does it: visible messages go to the consumer function in batches of up to `batchSize`; a received
 * message stays invisible for the queue's visibility timeout; the consumer reports partial failures with
 * `batchItemFailures` (a thrown error or an invalid response fails the whole batch); a message received
 * `maxReceiveCount` times without being deleted moves to the queue's dead-letter queue (`<name>-dlq`).
 * Time comes from the runtime clock, so tests step through visibility timeouts with `advanceTo`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSMessageAttribute, SQSRecord } from 'aws-lambda';
import type { Topology } from '#shared/topology.ts';
import type { Clock } from '#local/clock.ts';
import type { LocalAws } from '#local/functions.ts';
import type { LocalLog } from '#local/local-log.ts';
import { isRecord } from '#shared/is-record.ts';

export interface MessageAttributeValue {
  dataType: string;
  stringValue?: string | undefined;
  /** Base64. */
  binaryValue?: string | undefined;
}

export interface QueueMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes: string | undefined;
  sentAt: number;
  firstReceivedAt: number | undefined;
  receiveCount: number;
  visibleAt: number;
  receiptHandle: string | undefined;
}

export interface LocalQueue {
  name: string;
  arn: string;
  visibilityTimeoutMs: number;
  maxReceiveCount: number | undefined;
  deadLetterQueue: string | undefined;
  messages: QueueMessage[];
}

export interface SentMessage {
  messageId: string;
  md5OfBody: string;
  md5OfMessageAttributes: string | undefined;
}

export interface QueueConsumer {
  queue: string;
  functionName: string;
  batchSize: number;
}

export interface LocalQueues {
  names(): string[];
  get(name: string): LocalQueue | undefined;
  /** Sends one message (what SendMessage does); the consumer, if any, gets it in its next batch. */
  send(queueName: string, body: string, options?: { delaySeconds?: number; messageAttributes?: Record<string, MessageAttributeValue> }): SentMessage;
  /** Counts as GetQueueAttributes reports them. */
  stats(queueName: string): { visible: number; inFlight: number; delayed: number };
  /** Messages that ended in the dead-letter queue of `queueName`. */
  deadLetters(queueName: string): QueueMessage[];
  /** Resolves when no batch is being processed and no visible message is waiting for a consumer. */
  idle(): Promise<void>;
  busy(): boolean;
  stop(): Promise<void>;
}

export const deadLetterQueueName = (queue: string) => `${queue}-dlq`;

export function consumersOf(topology: Topology): QueueConsumer[] {
  const names = new Set(topology.queues.map((q) => q.name));
  return topology.functions.flatMap((fn) =>
    fn.triggers.flatMap((trigger) => {
      if (trigger.kind !== 'queue') return [];
      if (!names.has(trigger.queue)) throw new Error(`Function "${fn.name}" consumes queue "${trigger.queue}", which is not declared in topology.queues`);
      if (!Number.isInteger(trigger.batchSize) || trigger.batchSize < 1 || trigger.batchSize > 10_000)
        throw new Error(`Function "${fn.name}": batchSize must be 1–10000`);
      return [{ queue: trigger.queue, functionName: fn.name, batchSize: trigger.batchSize }];
    }),
  );
}

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** MD5OfMessageAttributes as SQS computes it: attributes sorted by name, each length-prefixed. */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const attribute = attributes[name];
    if (!attribute) continue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(attribute.dataType, 'utf8'));
    if (attribute.binaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(attribute.binaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(attribute.stringValue ?? '', 'utf8'));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

/** Which messages of a batch the consumer reported as failed; undefined means "the whole batch failed". */
export function failedItems(result: unknown, batchIds: ReadonlySet<string>): Set<string> | undefined {
  if (result === undefined || result === null) return new Set();
  if (!isRecord(result) || !('batchItemFailures' in result)) return new Set();
  const failures = result.batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return undefined;
  const failed = new Set<string>();
  for (const failure of failures) {
    const id: unknown = isRecord(failure) ? failure.itemIdentifier : undefined;
    // Lambda treats an empty, missing or unknown identifier as a failure of the whole batch.
    if (typeof id !== 'string' || id === '' || !batchIds.has(id)) return undefined;
    failed.add(id);
  }
  return failed;
}

export function createQueues(options: {
  topology: Topology;
  clock: Clock;
  aws: LocalAws;
  invoke: (functionName: string, event: SQSEvent) => Promise<unknown>;
  log: LocalLog;
  /** Batches of one queue processed at once (Lambda scales out further; 1 keeps local runs ordered). */
  maxConcurrency?: number;
}): LocalQueues {
  const { clock, aws, log } = options;
  const maxConcurrency = options.maxConcurrency ?? 1;
  const queues = new Map<string, LocalQueue>();
  const arnOf = (name: string) => `arn:aws:sqs:${aws.region}:${aws.accountId}:${name}`;
  for (const spec of options.topology.queues) {
    const dlq = deadLetterQueueName(spec.name);
    queues.set(dlq, {
      name: dlq,
      arn: arnOf(dlq),
      visibilityTimeoutMs: spec.visibilityTimeoutSeconds * 1000,
      maxReceiveCount: undefined,
      deadLetterQueue: undefined,
      messages: [],
    });
    queues.set(spec.name, {
      name: spec.name,
      arn: arnOf(spec.name),
      visibilityTimeoutMs: spec.visibilityTimeoutSeconds * 1000,
      maxReceiveCount: spec.maxReceiveCount,
      deadLetterQueue: dlq,
      messages: [],
    });
  }
  const consumers = new Map(consumersOf(options.topology).map((c) => [c.queue, c]));
  const running = new Map<string, Set<Promise<void>>>();
  const pumpScheduled = new Set<string>();
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  const queueOrThrow = (name: string): LocalQueue => {
    const queue = queues.get(name);
    if (!queue) throw new Error(`No queue "${name}" in the topology (queues: ${[...queues.keys()].join(', ') || 'none'})`);
    return queue;
  };

  /** Takes up to `max` visible messages, moving over-received ones to the DLQ first (as SQS redrive does). */
  const receive = (queue: LocalQueue, max: number): QueueMessage[] => {
    const now = clock.now().getTime();
    const batch: QueueMessage[] = [];
    for (const message of [...queue.messages]) {
      if (batch.length >= max) break;
      if (message.visibleAt > now) continue;
      if (queue.maxReceiveCount !== undefined && message.receiveCount >= queue.maxReceiveCount && queue.deadLetterQueue) {
        queue.messages.splice(queue.messages.indexOf(message), 1);
        queueOrThrow(queue.deadLetterQueue).messages.push({ ...message, visibleAt: now, receiptHandle: undefined });
        log.warn('message moved to dead-letter queue', {
          queue: queue.name,
          deadLetterQueue: queue.deadLetterQueue,
          messageId: message.messageId,
          receiveCount: message.receiveCount,
        });
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + queue.visibilityTimeoutMs;
      message.receiptHandle = randomUUID();
      batch.push(message);
    }
    return batch;
  };

  const toRecord = (queue: LocalQueue, message: QueueMessage): SQSRecord => ({
    messageId: message.messageId,
    receiptHandle: message.receiptHandle ?? '',
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'AIDALOCALKINSHIP',
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.messageAttributes).map(([name, value]): [string, SQSMessageAttribute] => [
        name,
        { dataType: value.dataType, stringValue: value.stringValue, binaryValue: value.binaryValue, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: aws.region,
  });

  const processBatch = async (queue: LocalQueue, consumer: QueueConsumer, batch: QueueMessage[]): Promise<void> => {
    const ids = new Set(batch.map((m) => m.messageId));
    const receipts = new Map(batch.map((m) => [m.messageId, m.receiptHandle]));
    let failed: Set<string> | undefined;
    const started = performance.now();
    try {
      const result = await options.invoke(consumer.functionName, { Records: batch.map((m) => toRecord(queue, m)) });
      failed = failedItems(result, ids);
      if (!failed)
        log.error('consumer returned an invalid batchItemFailures response; the whole batch is retried', {
          queue: queue.name,
          functionName: consumer.functionName,
        });
    } catch (error) {
      log.error('consumer failed; the whole batch is retried after the visibility timeout', {
        queue: queue.name,
        functionName: consumer.functionName,
        messages: batch.length,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
    for (const message of batch) {
      if (failed && !failed.has(message.messageId)) {
        const index = queue.messages.indexOf(message);
        // As in SQS, a stale receipt (the message timed out and was received again meanwhile) deletes nothing.
        if (index >= 0 && message.receiptHandle === receipts.get(message.messageId)) queue.messages.splice(index, 1);
      } else {
        log.warn('message failed; it becomes visible again after the visibility timeout', {
          queue: queue.name,
          messageId: message.messageId,
          receiveCount: message.receiveCount,
        });
      }
    }
    log.info('batch processed', {
      queue: queue.name,
      functionName: consumer.functionName,
      messages: batch.length,
      failed: failed ? failed.size : batch.length,
      durationMs: Math.round(performance.now() - started),
    });
  };

  const armTimer = (queue: LocalQueue) => {
    clearTimeout(timers.get(queue.name));
    timers.delete(queue.name);
    if (stopped || clock.mode !== 'real') return;
    const now = clock.now().getTime();
    const nextVisible = Math.min(...queue.messages.map((m) => m.visibleAt).filter((t) => t > now));
    if (Number.isFinite(nextVisible))
      timers.set(
        queue.name,
        setTimeout(() => pump(queue.name), nextVisible - now + 5),
      );
  };

  const pump = (name: string) => {
    if (stopped) return;
    const queue = queueOrThrow(name);
    const consumer = consumers.get(name);
    if (!consumer) return;
    const active = running.get(name) ?? new Set<Promise<void>>();
    running.set(name, active);
    while (active.size < maxConcurrency) {
      const batch = receive(queue, consumer.batchSize);
      if (batch.length === 0) break;
      const work: Promise<void> = processBatch(queue, consumer, batch).finally(() => {
        active.delete(work);
        pump(name);
      });
      active.add(work);
    }
    armTimer(queue);
  };

  /** Coalesces sends within one tick into one batch, as a poller would see them. */
  const schedulePump = (name: string) => {
    if (pumpScheduled.has(name)) return;
    pumpScheduled.add(name);
    setImmediate(() => {
      pumpScheduled.delete(name);
      pump(name);
    });
  };

  const unsubscribe = clock.onAdvance(() => {
    for (const name of consumers.keys()) pump(name);
  });

  const hasWork = () => {
    const now = clock.now().getTime();
    for (const [name, active] of running) if (active.size > 0 || pumpScheduled.has(name)) return true;
    for (const name of consumers.keys()) if (queueOrThrow(name).messages.some((m) => m.visibleAt <= now)) return true;
    return false;
  };

  return {
    names: () => [...queues.keys()],
    get: (name) => queues.get(name),
    send(queueName, body, sendOptions = {}) {
      const queue = queueOrThrow(queueName);
      const now = clock.now().getTime();
      const messageAttributes = sendOptions.messageAttributes ?? {};
      const message: QueueMessage = {
        messageId: randomUUID(),
        body,
        md5OfBody: md5Hex(body),
        messageAttributes,
        md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes),
        sentAt: now,
        firstReceivedAt: undefined,
        receiveCount: 0,
        visibleAt: now + (sendOptions.delaySeconds ?? 0) * 1000,
        receiptHandle: undefined,
      };
      queue.messages.push(message);
      log.debug('message sent', { queue: queueName, messageId: message.messageId });
      if ((sendOptions.delaySeconds ?? 0) > 0) armTimer(queue);
      else schedulePump(queueName);
      return { messageId: message.messageId, md5OfBody: message.md5OfBody, md5OfMessageAttributes: message.md5OfMessageAttributes };
    },
    stats(queueName) {
      const now = clock.now().getTime();
      const queue = queueOrThrow(queueName);
      return {
        visible: queue.messages.filter((m) => m.visibleAt <= now).length,
        inFlight: queue.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length,
        delayed: queue.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length,
      };
    },
    deadLetters: (queueName) => queueOrThrow(deadLetterQueueName(queueName)).messages,
    busy: () => !stopped && hasWork(),
    async idle() {
      while (!stopped && hasWork()) {
        for (const name of consumers.keys()) pump(name);
        const active = [...running.values()].flatMap((set) => [...set]);
        if (active.length > 0) await Promise.all(active);
        else await new Promise((resolve) => setImmediate(resolve));
      }
    },
    async stop() {
      stopped = true;
      unsubscribe();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.all([...running.values()].flatMap((set) => [...set]));
    },
  };
}
