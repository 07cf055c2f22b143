import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import * as z from 'zod';
import { busFromEnvironment } from '#shared/events/publish-events.ts';
import { logger } from '#shared/logger.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { shopConfig } from '#shared/runtime/environment.ts';
import { loadSegmentsConfig } from '#shared/segments/segment-config.ts';
import { runSegmenter, type SegmenterRunSummary } from '#shared/segments/run-segmenter.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const config = loadSegmentsConfig();
const currency = shopConfig().shop.baseCurrency;
const table = tableFromEnvironment();
const bus = busFromEnvironment();

/** The Scheduler event; `detail.now` (ISO 8601) overrides the as-of time for a manual run. */
const SegmenterEvent = z.looseObject({
  time: z.iso.datetime({ offset: true }).optional(),
  detail: z.looseObject({ now: z.iso.datetime({ offset: true }).optional() }).optional(),
});

/** Scheduled (EventBridge Scheduler): recomputes every segment, writes and publishes only the changes. */
export const handler = middy<unknown, Omit<SegmenterRunSummary, 'counts'>>()
  .use(observed())
  .handler(async (event) => {
    const parsed = SegmenterEvent.safeParse(event);
    if (!parsed.success) throw new Error(`segmenter event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const now = new Date(parsed.data.detail?.now ?? parsed.data.time ?? currentTime().toISOString());
    const { counts, ...summary } = await runSegmenter({ table, bus, config, currency }, { now });
    logger.info('segmenter run', { ...summary, segments: Object.keys(counts).length });
    return summary;
  });
