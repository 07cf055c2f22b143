import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { traced } from '#shared/observability/observability.ts';
import { currentCorrelationId } from '#shared/observability/correlation.ts';
import { queueUrlVariable } from '#shared/runtime/queue-url.ts';
import { exponential, retryRemaining } from '#shared/runtime/retry.ts';
import { localCredentials } from '#shared/table/table-client.ts';
import { sendRef, type SendRequest } from '#shared/sending/send-request.ts';

/** Where planned emails wait for the sender. */
export interface SendQueue {
  /** Enqueues the requests; `delaySeconds` (≤ 900, SQS's limit) holds them back that long. */
  enqueue(requests: readonly SendRequest[], delaySeconds?: number): Promise<void>;
}

/** SQS's longest per-message delay; longer waits go through the due-send store. */
export const MAX_QUEUE_DELAY_SECONDS = 900;
const BATCH = 10;
const PARALLEL_BATCHES = 8;
const MAX_ATTEMPTS = 4;

export function createSqsClient(endpoint = process.env.SQS_ENDPOINT): SQSClient {
  return traced(new SQSClient(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'eu-west-1', credentials: localCredentials() } : {}));
}

/** The send-email queue named by the stack (or the local runtime) in SEND_EMAIL_QUEUE_URL, for a handler's module scope. */
export function sendQueueFromEnvironment(): SendQueue {
  const variable = queueUrlVariable('send-email');
  const queueUrl = process.env[variable];
  if (!queueUrl) throw new Error(`${variable} is not set: the function cannot queue emails`);
  return sqsSendQueue(createSqsClient(), queueUrl);
}

/** SendMessageBatch in tens, eight batches in flight, retrying only the entries SQS reports as failed. */
export function sqsSendQueue(client: SQSClient, queueUrl: string): SendQueue {
  const sendBatch = async (batch: readonly SendRequest[], delaySeconds: number) => {
    const entries = batch.map((request, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify({ ...request, correlationId: request.correlationId ?? currentCorrelationId() }),
      ...(delaySeconds > 0 ? { DelaySeconds: delaySeconds } : {}),
    }));
    await retryRemaining(
      entries,
      async (pending) => {
        const result = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [...pending] }));
        const failed = new Set((result.Failed ?? []).map((f) => f.Id));
        return pending.filter((entry) => failed.has(entry.Id));
      },
      {
        attempts: MAX_ATTEMPTS,
        backoff: exponential(50),
        describe: (left, attempts) => {
          const refs = left.map((entry) => batch[Number(entry.Id)]).flatMap((r) => (r ? [sendRef(r)] : []));
          return `SQS refused ${left.length} message(s) after ${attempts} attempts: ${refs.slice(0, 3).join(', ')}`;
        },
      },
    );
  };
  return {
    async enqueue(requests, delaySeconds = 0) {
      const delay = Math.max(0, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(delaySeconds)));
      const batches: SendRequest[][] = [];
      for (let i = 0; i < requests.length; i += BATCH) batches.push(requests.slice(i, i + BATCH));
      for (let i = 0; i < batches.length; i += PARALLEL_BATCHES) {
        await Promise.all(batches.slice(i, i + PARALLEL_BATCHES).map((batch) => sendBatch(batch, delay)));
      }
    },
  };
}
