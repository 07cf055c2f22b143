import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '#shared/logger.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { dispatchDueSends } from '#shared/sending/due-sends.ts';
import { createSqsClient, sqsSendQueue } from '#shared/sending/send-queue.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';
import { queueUrlVariable } from '#shared/runtime/queue-url.ts';

const table = tableFromEnvironment();
const queueUrl = process.env[queueUrlVariable('send-email')];
if (!queueUrl) throw new Error(`${queueUrlVariable('send-email')} is not set: due sends cannot be queued`);
const queue = sqsSendQueue(createSqsClient(), queueUrl);

/** Every few minutes: queues the sends whose wait (a trigger's delay, quiet hours) is over. */
export const handler = middy<unknown, { dispatched: number; buckets: number }>()
  .use(injectLambdaContext(logger))
  .handler(async () => {
    const result = await dispatchDueSends({ table, queue, now: currentTime });
    if (result.dispatched > 0) logger.info('due sends queued', result);
    return result;
  });
