import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/** A case was closed by staff, resolved or not; `hoursToResolve` feeds the per-reason report. */
export const CaseResolved = defineEvent(
  'CaseResolved',
  z.object({
    caseId: z.string(),
    customerId: z.string(),
    reason: z.string(),
    resolved: z.boolean(),
    needsPolicyChange: z.boolean(),
    hoursToResolve: z.number().nonnegative(),
    closedAt: z.string(),
  }),
);
