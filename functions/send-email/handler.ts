import middy from '@middy/core';
import { countSendBatch, observed } from '#shared/observability/observability.ts';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadEmailConfig } from '#shared/email/email-config.ts';
import { createCampaignSesClient, sesEmailSender } from '#shared/email/send-email.ts';
import { busFromEnvironment } from '#shared/events/publish-events.ts';
import { logger } from '#shared/logger.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { publicBaseUrl } from '#shared/runtime/environment.ts';
import { getSigningKey } from '#shared/secrets.ts';
import { createPacer } from '#shared/sending/pacer.ts';
import { processSendBatch } from '#shared/sending/process-send-batch.ts';
import { sendQueueFromEnvironment } from '#shared/sending/send-queue.ts';
import { loadSendingSettings } from '#shared/sending/sending-settings.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const settings = loadSendingSettings();
const table = tableFromEnvironment();
const bus = busFromEnvironment();
// One attempt per SES call, with a bounded wait: a timed-out send is held as unknown, never retried blind.
const email = sesEmailSender(createCampaignSesClient(), loadEmailConfig());
const queue = sendQueueFromEnvironment();
/** The event source runs at most QUEUE_CONSUMER_CONCURRENCY of these at once; together they keep to the configured rate. */
const workers = Number(process.env.QUEUE_CONSUMER_CONCURRENCY ?? 1);
const pacer = createPacer(settings.file.defaults.sendRatePerSecond / Math.max(1, workers));

/** The send queue's consumer: sends, skips or defers each message; reports only the failed ones back to SQS. */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(observed())
  .handler(async (event) => {
    const now = currentTime;
    const result = await processSendBatch(
      {
        sender: {
          table,
          bus,
          email,
          templates: settings.templates,
          campaigns: settings.campaigns,
          policy: settings.policy,
          shop: { name: settings.shop.shop.name, url: publicBaseUrl(settings.shop), baseCurrency: settings.shop.shop.baseCurrency },
          publicBaseUrl: publicBaseUrl(settings.shop),
          signingKey: await getSigningKey(),
          now,
          pacer,
        },
        due: { table, queue, now },
      },
      event.Records.map((record) => ({ messageId: record.messageId, body: record.body })),
    );
    logger.info('send batch processed', { messages: event.Records.length, ...result.outcomes });
    countSendBatch(
      result.outcomes,
      event.Records.map((record) => record.attributes.ApproximateReceiveCount),
    );
    return { batchItemFailures: result.batchItemFailures };
  });
