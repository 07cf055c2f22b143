import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import { logger } from '#shared/logger.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { dispatchDueSends } from '#shared/sending/due-sends.ts';
import { sendQueueFromEnvironment } from '#shared/sending/send-queue.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const table = tableFromEnvironment();
const queue = sendQueueFromEnvironment();

/** Every few minutes: queues the sends whose wait (a trigger's delay, quiet hours) is over. */
export const handler = middy<unknown, { dispatched: number; buckets: number }>()
  .use(observed())
  .handler(async () => {
    const result = await dispatchDueSends({ table, queue, now: currentTime });
    if (result.dispatched > 0) logger.info('due sends queued', result);
    return result;
  });
