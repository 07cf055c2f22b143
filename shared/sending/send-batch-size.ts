/**
 * How many queued emails one sender invocation takes. Bigger batches cost less per email — one profile read, one
 * claim transaction and one "sent" write per batch, fewer invocations (bench/send: ~13% less CPU per email at 25
 * than at 10) — but the sender paces its SES calls, so a batch must fit comfortably in the function's timeout.
 */

/** BatchWriteItem takes 25 puts (marking a batch sent); a claim takes ≤ 3 transaction items per email (≤ 75 of 100). */
export const MAX_SEND_BATCH = 25;

/**
 * The largest batch whose paced sends take at most half the sender's timeout, leaving the rest for the table
 * calls and a slow SES answer or two: at 10 emails/s over 2 consumers, 25; at 1 email/s (the SES sandbox), 7.
 */
export function sendBatchSize(sendRatePerSecond: number, consumers: number, timeoutSeconds: number): number {
  const perConsumer = sendRatePerSecond / Math.max(1, consumers);
  return Math.max(1, Math.min(MAX_SEND_BATCH, Math.floor((perConsumer * timeoutSeconds) / 2)));
}
