import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import * as z from 'zod';
import { logger } from '#shared/logger.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { planNewsletter, planTriggered, type PlanResult } from '#shared/sending/plan-occurrence.ts';
import { sendQueueFromEnvironment } from '#shared/sending/send-queue.ts';
import { loadPlanningSettings } from '#shared/campaigns/checked-campaigns.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const settings = loadPlanningSettings();
const table = tableFromEnvironment();
const queue = sendQueueFromEnvironment();

/** A newsletter schedule delivers `{ campaignId, scheduledTime }`; a campaign's rule delivers `{ campaignId, event }`. */
const Occurrence = z.union([
  z.strictObject({ campaignId: z.string(), scheduledTime: z.iso.datetime({ offset: true }) }),
  z.strictObject({
    campaignId: z.string(),
    event: z.looseObject({ id: z.string(), time: z.iso.datetime({ offset: true }), detail: z.record(z.string(), z.unknown()) }),
  }),
]);

/** Plans one campaign occurrence: resolves the audience and queues one email per recipient. */
export const handler = middy<unknown, PlanResult>()
  .use(observed())
  .handler(async (input) => {
    const parsed = Occurrence.safeParse(input);
    if (!parsed.success) throw new Error(`campaign occurrence: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const deps = { table, queue, campaigns: settings.campaigns, now: currentTime, defaultTimeZone: settings.file.defaults.timezone };
    const occurrence = parsed.data;
    const result =
      'scheduledTime' in occurrence
        ? await planNewsletter(deps, occurrence.campaignId, occurrence.scheduledTime)
        : await planTriggered(deps, occurrence.campaignId, occurrence.event);
    logger.info('campaign occurrence planned', { ...result });
    return result;
  });
