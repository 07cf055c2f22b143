/**
 * One SQS batch of the send queue: each message is sent, skipped, put back to wait, or reported as a failure
 * (SQS redelivers only those — partial batch response). SES calls are paced to the configured send rate.
 */
import { SesThrottledError } from '#shared/email/ses-failure.ts';
import type { DomainEvent } from '#shared/events/event-definition.ts';
import { publishEvents } from '#shared/events/publish-events.ts';
import { logger } from '#shared/logger.ts';
import { withCorrelationId } from '#shared/observability/correlation.ts';
import { holdUntil, type DueSendDeps } from '#shared/sending/due-sends.ts';
import { MAX_SEND_BATCH } from '#shared/sending/send-batch-size.ts';
import { sendCampaignBatch, type SendOutcome, type SenderDeps } from '#shared/sending/send-campaign-email.ts';
import { SendRequestSchema, sendRef, type SendRequest } from '#shared/sending/send-request.ts';

export interface SendBatchDeps {
  /** The sender, with its pacer (the SES send rate). */
  sender: SenderDeps;
  due: DueSendDeps;
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
  const valid: { record: QueueRecord; request: SendRequest }[] = [];
  for (const record of records) {
    const parsed = SendRequestSchema.safeParse(safeJson(record.body));
    if (parsed.success) {
      valid.push({ record, request: parsed.data });
      continue;
    }
    // Never succeeds: let it fail until SQS moves it to the dead-letter queue, where the alarm shows it.
    logger.error('malformed send request', { messageId: record.messageId, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
    failures.push({ itemIdentifier: record.messageId });
    count('malformed');
  }

  const sentEvents: DomainEvent[] = [];
  const results: (SendOutcome | Error)[] = [];
  for (let i = 0; i < valid.length; i += MAX_SEND_BATCH) {
    results.push(
      ...(await sendCampaignBatch(
        deps.sender,
        valid.slice(i, i + MAX_SEND_BATCH).map((v) => v.request),
        sentEvents,
      )),
    );
  }
  await Promise.all(
    // Each email's log lines carry the correlation id of what caused it (one batch may mix several).
    valid.map(({ record, request }, i) =>
      withCorrelationId(request.correlationId, async () => {
        const result = results[i] ?? new Error('no result');
        try {
          if (result instanceof Error) throw result;
          if (result.outcome === 'deferred') await holdUntil(deps.due, request, result.until);
          // Busy or unknown: SQS brings it back after the visibility timeout (> the lease), when it is sent or skipped.
          if (result.outcome === 'busy' || result.outcome === 'unknown') failures.push({ itemIdentifier: record.messageId });
          const outcome = result.outcome === 'skipped' ? `skipped:${result.reason}` : result.outcome;
          count(outcome);
          logger.info('email processed', { ref: sendRef(request), outcome });
        } catch (error) {
          // Throttled: nothing was sent and the claim is free. Back on the queue after a jittered back-off as a new
          // message, so a long spell of throttling never uses up the receive count and lands sends in the DLQ.
          if (error instanceof SesThrottledError && (await retryLater(deps, request))) {
            count('throttled');
            return;
          }
          logger.warn('send failed; SQS will retry it', { ref: sendRef(request), error: error instanceof Error ? error.message : String(error) });
          failures.push({ itemIdentifier: record.messageId });
          count('failed');
        }
      }),
    ),
  );

  // One PutEvents call per batch instead of one per send. If it fails, the emails are out and their claims say
  // so: log it loudly rather than fail messages whose retry would only skip as duplicates.
  try {
    await publishEvents(deps.sender.bus, sentEvents);
  } catch (error) {
    logger.error('EmailSent events could not be published', { count: sentEvents.length, error: error instanceof Error ? error.message : String(error) });
  }
  return { batchItemFailures: failures, outcomes };
}

/** Seconds a throttled send waits before it is tried again: 2–10 s, spread so retries do not arrive together. */
export const THROTTLE_BACKOFF_SECONDS = { min: 2, max: 10 } as const;

async function retryLater(deps: SendBatchDeps, request: SendRequest): Promise<boolean> {
  const { min, max } = THROTTLE_BACKOFF_SECONDS;
  const until = new Date(deps.due.now().getTime() + (min + Math.random() * (max - min)) * 1000);
  try {
    await holdUntil(deps.due, request, until);
    return true;
  } catch (error) {
    logger.warn('a throttled send could not be put back on the queue; SQS will retry it', {
      ref: sendRef(request),
      error: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
