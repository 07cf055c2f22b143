import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/** A case stayed unassigned or unresolved past the configured hours; staff were notified. */
export const CaseEscalated = defineEvent(
  'CaseEscalated',
  z.object({
    caseId: z.string(),
    customerId: z.string(),
    why: z.enum(['unassigned', 'unresolved']),
    openedAt: z.string(),
    escalatedAt: z.string(),
  }),
);
