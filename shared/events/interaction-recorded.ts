import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/** A staff contact with a customer was recorded (console or a till/helpdesk). Ids and coded fields only, never the note. */
export const InteractionRecorded = defineEvent(
  'InteractionRecorded',
  z.object({
    interactionId: z.string(),
    customerId: z.string(),
    channel: z.string(),
    reason: z.string(),
    satisfied: z.number().int().min(1).max(5),
    outcome: z.enum(['resolved', 'follow-up', 'escalated']),
    staffId: z.string(),
    recordedAt: z.string(),
  }),
);
