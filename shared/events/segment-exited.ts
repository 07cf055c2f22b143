import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/** Published by the segmenter when a customer leaves a segment (only on a change). */
export const SegmentExited = defineEvent(
  'SegmentExited',
  z.object({
    customerId: z.string(),
    segment: z.string(),
    /** Why, with the numbers now: "now R2 F4 M3 (At Risk)", "profile removed", "segment no longer in config". */
    reason: z.string(),
    runId: z.string(),
    asOf: z.string(),
  }),
);
