import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import * as z from 'zod';
import { loadPrivacyConfig } from '#shared/privacy/privacy-config.ts';
import { sweepRetention, type SweepSummary } from '#shared/privacy/sweep-retention.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const config = loadPrivacyConfig();
const table = tableFromEnvironment();

/** The Scheduler event; its `time` is the as-of time (so a late or replayed run blanks exactly what was due). */
const SweepEvent = z.looseObject({ time: z.iso.datetime({ offset: true }).optional() });

/** Daily (EventBridge Scheduler): blanks free-text answers and contact notes older than config/privacy.yaml allows. */
export const handler = middy<unknown, SweepSummary>()
  .use(observed())
  .handler(async (event) => {
    const parsed = SweepEvent.safeParse(event);
    const now = parsed.success && parsed.data.time !== undefined ? new Date(parsed.data.time) : currentTime();
    return sweepRetention(table, config, now);
  });
