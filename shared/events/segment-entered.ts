import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/** Published by the segmenter when a customer joins a segment (only on a change, never on every run). */
export const SegmentEntered = defineEvent(
  'SegmentEntered',
  z.object({
    customerId: z.string(),
    /** Segment id: a built-in (gold, lapsed, …), rfm-<group> (rfm-at-risk, …) or a custom id from config/segments.yaml. */
    segment: z.string(),
    /** Why, with the numbers: "last purchase 121 days ago (lapsed after 90)". Never personal data. */
    reason: z.string(),
    runId: z.string(),
    /** The run's as-of time (the schedule's time, or the --now override). */
    asOf: z.string(),
  }),
);
