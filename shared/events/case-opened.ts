import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/** An unhappy answer (satisfaction ≤ 2, from the form or a staff contact) opened a follow-up case. */
export const CaseOpened = defineEvent(
  'CaseOpened',
  z.object({
    caseId: z.string(),
    customerId: z.string(),
    source: z.enum(['form', 'interaction']),
    /** The order (form) or interaction that opened the case. */
    sourceRef: z.string(),
    reason: z.string(),
    satisfied: z.number().int().min(1).max(5),
    openedAt: z.string(),
  }),
);
