/**
 * A small server speaking SQS's AWS JSON 1.0 protocol (what @aws-sdk/client-sqs uses), so a handler's real
 * SQS client sends to the local queues exactly as it would in AWS: SendMessage, SendMessageBatch,
 * GetQueueUrl, GetQueueAttributes and ListQueues. Queue URLs are `<endpoint>/<account>/<queue name>`.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { LocalAws } from '#local/functions.ts';
import type { LocalQueues, MessageAttributeValue } from '#local/queues.ts';
import { isRecord } from '#shared/is-record.ts';

/** SQS's message size limit (body plus attributes) as this runtime enforces it. */
export const SQS_MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_DELAY_SECONDS = 900;

export interface SqsEndpoint {
  endpoint: string;
  queueUrl(name: string): string;
  stop(): Promise<void>;
}

class SqsError extends Error {
  constructor(
    readonly type: string,
    readonly queryCode: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new SqsError('InvalidParameterValue', 'InvalidParameterValue', message);

function parseAttributes(value: unknown): Record<string, MessageAttributeValue> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw invalid('MessageAttributes must be a map');
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, raw] of Object.entries(value)) {
    if (!isRecord(raw) || typeof raw.DataType !== 'string') throw invalid(`Message attribute ${name} needs a DataType`);
    const stringValue = typeof raw.StringValue === 'string' ? raw.StringValue : undefined;
    const binaryValue = typeof raw.BinaryValue === 'string' ? raw.BinaryValue : undefined;
    if (stringValue === undefined && binaryValue === undefined) throw invalid(`Message attribute ${name} needs a StringValue or BinaryValue`);
    attributes[name] = { dataType: raw.DataType, stringValue, binaryValue };
  }
  return attributes;
}

export async function startSqsEndpoint(options: { port: number; host?: string; queues: LocalQueues; aws: LocalAws }): Promise<SqsEndpoint> {
  const { queues, aws } = options;
  let endpoint = '';
  const queueUrl = (name: string) => `${endpoint}/${aws.accountId}/${name}`;

  const queueFromUrl = (url: unknown): string => {
    if (typeof url !== 'string' || url === '') throw invalid('QueueUrl is required');
    const name = url.split('/').filter(Boolean).pop() ?? '';
    if (!queues.get(name)) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', `The specified queue does not exist: ${name}`);
    return name;
  };

  const sendOne = (queue: string, entry: Record<string, unknown>) => {
    const body = entry.MessageBody;
    if (typeof body !== 'string' || body === '') throw invalid('MessageBody must be a non-empty string');
    const attributes = parseAttributes(entry.MessageAttributes);
    const size =
      Buffer.byteLength(body) +
      Object.entries(attributes).reduce(
        (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.dataType) + Buffer.byteLength(v.stringValue ?? v.binaryValue ?? ''),
        0,
      );
    if (size > SQS_MAX_MESSAGE_BYTES) throw invalid(`Message of ${size} bytes is over the ${SQS_MAX_MESSAGE_BYTES}-byte limit`);
    const delay = entry.DelaySeconds;
    if (delay !== undefined && (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS))
      throw invalid('DelaySeconds must be 0–900');
    return queues.send(queue, body, { delaySeconds: typeof delay === 'number' ? delay : 0, messageAttributes: attributes });
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    SendMessage(input) {
      const sent = sendOne(queueFromUrl(input.QueueUrl), input);
      return {
        MessageId: sent.messageId,
        MD5OfMessageBody: sent.md5OfBody,
        ...(sent.md5OfMessageAttributes ? { MD5OfMessageAttributes: sent.md5OfMessageAttributes } : {}),
      };
    },
    SendMessageBatch(input) {
      const queue = queueFromUrl(input.QueueUrl);
      const entries = Array.isArray(input.Entries) ? input.Entries : [];
      if (entries.length === 0)
        throw new SqsError('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 'The batch request does not contain any entries');
      if (entries.length > 10)
        throw new SqsError('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 'A batch holds at most 10 entries');
      const successful: unknown[] = [];
      const failed: unknown[] = [];
      for (const entry of entries) {
        const id = isRecord(entry) && typeof entry.Id === 'string' ? entry.Id : '';
        try {
          if (!isRecord(entry)) throw invalid('Entry must be an object');
          const sent = sendOne(queue, entry);
          successful.push({
            Id: id,
            MessageId: sent.messageId,
            MD5OfMessageBody: sent.md5OfBody,
            ...(sent.md5OfMessageAttributes ? { MD5OfMessageAttributes: sent.md5OfMessageAttributes } : {}),
          });
        } catch (error) {
          if (!(error instanceof SqsError)) throw error;
          failed.push({ Id: id, SenderFault: true, Code: error.type, Message: error.message });
        }
      }
      return { Successful: successful, Failed: failed };
    },
    GetQueueUrl(input) {
      const name = typeof input.QueueName === 'string' ? input.QueueName : '';
      if (!queues.get(name)) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', `The specified queue does not exist: ${name}`);
      return { QueueUrl: queueUrl(name) };
    },
    GetQueueAttributes(input) {
      const name = queueFromUrl(input.QueueUrl);
      const queue = queues.get(name);
      const stats = queues.stats(name);
      return {
        Attributes: {
          QueueArn: queue?.arn ?? '',
          ApproximateNumberOfMessages: String(stats.visible),
          ApproximateNumberOfMessagesNotVisible: String(stats.inFlight),
          ApproximateNumberOfMessagesDelayed: String(stats.delayed),
          VisibilityTimeout: String((queue?.visibilityTimeoutMs ?? 0) / 1000),
          ...(queue?.deadLetterQueue && queue.maxReceiveCount !== undefined
            ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queues.get(queue.deadLetterQueue)?.arn, maxReceiveCount: queue.maxReceiveCount }) }
            : {}),
        },
      };
    },
    ListQueues() {
      return { QueueUrls: queues.names().map(queueUrl) };
    },
  };

  const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AmazonSQS.') ? operations[target.slice('AmazonSQS.'.length)] : undefined;
      try {
        if (!operation)
          throw new SqsError(
            'InvalidAction',
            'InvalidAction',
            `The local SQS emulates SendMessage, SendMessageBatch, GetQueueUrl, GetQueueAttributes and ListQueues (got ${target || 'no X-Amz-Target'})`,
          );
        let input: unknown;
        try {
          input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          throw invalid('The request body is not JSON');
        }
        reply(res, 200, operation(isRecord(input) ? input : {}));
      } catch (error) {
        if (error instanceof SqsError)
          reply(res, 400, { __type: `com.amazonaws.sqs#${error.type}`, message: error.message }, { 'x-amzn-query-error': `${error.queryCode};Sender` });
        else reply(res, 500, { __type: 'com.amazonaws.sqs#InternalError', message: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${options.port} is in use: stop what is using it or set SQS_PORT to another port`) : error),
    );
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    queueUrl,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
