import { SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { sqsSendQueue } from '#shared/sending/send-queue.ts';
import type { SendRequest } from '#shared/sending/send-request.ts';
import { offlineClientConfig } from '#test/support/scripted-table.ts';

const request = (n: number): SendRequest => ({ campaignId: 'welcome', occurrenceId: 'once', customerId: `k_${n}`, triggeredAt: '2026-01-01T00:00:00.000Z' });

/** An SQS client whose SendMessageBatch fails the entries `failing` picks on each call, recording the customers each call sent. */
function scriptedSqs(failing: (call: number) => Set<string>): { client: SQSClient; sent: string[][] } {
  const sent: string[][] = [];
  const client = new SQSClient(offlineClientConfig);
  client.middlewareStack.add(() => async (args) => ({ output: answerBatch(Reflect.get(Object(args.input), 'Entries') ?? [], sent, failing), response: {} }), {
    step: 'initialize',
    priority: 'high',
    name: 'scriptedSqs',
  });
  return { client, sent };
}

function answerBatch(entries: SendMessageBatchRequestEntry[], sent: string[][], failing: (call: number) => Set<string>) {
  sent.push(entries.map((entry) => String(JSON.parse(entry.MessageBody ?? '{}').customerId)));
  const failed = failing(sent.length);
  const Failed = entries.filter((entry) => failed.has(entry.Id ?? '')).map((entry) => ({ Id: entry.Id, Code: 'ServiceUnavailable', SenderFault: false }));
  const Successful = entries.filter((entry) => !failed.has(entry.Id ?? '')).map((entry) => ({ Id: entry.Id, MessageId: `m${entry.Id}`, MD5OfMessageBody: '' }));
  return { $metadata: {}, Failed, Successful };
}

describe('sqsSendQueue', () => {
  it('sends again only the messages SQS reported as failed', async () => {
    const { client, sent } = scriptedSqs((call) => (call === 1 ? new Set(['1', '3']) : new Set()));
    await sqsSendQueue(client, 'http://queue').enqueue([request(0), request(1), request(2), request(3)]);
    expect(sent).toEqual([
      ['k_0', 'k_1', 'k_2', 'k_3'],
      ['k_1', 'k_3'],
    ]);
  });

  it('throws naming the sends SQS still refused after the last attempt', async () => {
    const { client, sent } = scriptedSqs(() => new Set(['0']));
    await expect(sqsSendQueue(client, 'http://queue').enqueue([request(7), request(8)])).rejects.toThrow(
      'SQS refused 1 message(s) after 4 attempts: welcome#once#k_7',
    );
    expect(sent).toHaveLength(4);
  });
});
