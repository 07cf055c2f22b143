/**
 * One SQS batch of the send queue: each message is sent, skipped, put back to wait, or reported as a failure
 * (SQS redelivers only those — partial batch response), paced to the configured send rate.
 */
import type { DomainEvent } from '#shared/events/event-definition.ts';
import { publishEvents } from '#shared/events/publish-events.ts';
import { logger } from '#shared/logger.ts';
import { holdUntil, type DueSendDeps } from '#shared/sending/due-sends.ts';
import type { Pacer } from '#shared/sending/pacer.ts';
import { sendCampaignEmail, type SenderDeps, type SendOutcome } from '#shared/sending/send-campaign-email.ts';
import { SendRequestSchema, sendRef } from '#shared/sending/send-request.ts';

export interface SendBatchDeps {
  sender: SenderDeps;
  due: DueSendDeps;
  pacer: Pacer;
  /** Messages in flight at once within the batch (each still waits for the pacer). */
  concurrency?: number;
}

export interface QueueRecord {
  messageId: string;
  body: string;
}

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
  outcomes: Record<string, number>;
}

export async function processSendBatch(deps: SendBatchDeps, records: readonly QueueRecord[]): Promise<BatchResult> {
  const failures: { itemIdentifier: string }[] = [];
  const outcomes: Record<string, number> = {};
  const count = (key: string) => (outcomes[key] = (outcomes[key] ?? 0) + 1);
  const sentEvents: DomainEvent[] = [];
  let index = 0;
  const worker = async () => {
    for (let record = records[index++]; record !== undefined; record = records[index++]) {
      const parsed = SendRequestSchema.safeParse(safeJson(record.body));
      if (!parsed.success) {
        // Never succeeds: let it fail until SQS moves it to the dead-letter queue, where the alarm shows it.
        logger.error('malformed send request', { messageId: record.messageId, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
        failures.push({ itemIdentifier: record.messageId });
        count('malformed');
        continue;
      }
      const request = parsed.data;
      try {
        await deps.pacer.take();
        const outcome: SendOutcome = await sendCampaignEmail(deps.sender, request, sentEvents);
        if (outcome.outcome === 'deferred') await holdUntil(deps.due, request, outcome.until);
        if (outcome.outcome === 'busy') failures.push({ itemIdentifier: record.messageId });
        count(outcome.outcome === 'skipped' ? `skipped:${outcome.reason}` : outcome.outcome);
      } catch (error) {
        logger.warn('send failed; SQS will retry it', { ref: sendRef(request), error: error instanceof Error ? error.message : String(error) });
        failures.push({ itemIdentifier: record.messageId });
        count('failed');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 4) }, worker));
  // One PutEvents call per ten sends instead of one per send. If it fails, the emails are out and their claims
  // say so: log it loudly rather than fail messages whose retry would only skip as duplicates.
  try {
    await publishEvents(deps.sender.bus, sentEvents);
  } catch (error) {
    logger.error('EmailSent events could not be published', { count: sentEvents.length, error: error instanceof Error ? error.message : String(error) });
  }
  return { batchItemFailures: failures, outcomes };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
