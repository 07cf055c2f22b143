import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';
import { SUPPORTED_LOCALES } from '#shared/locales.ts';

/** Published on every accepted incentive-form submission (the first and each update). Carries ids and coded answers, never free text or addresses. */
export const FormSubmitted = defineEvent(
  'FormSubmitted',
  z.object({
    orderId: z.string(),
    customerId: z.string(),
    submittedAt: z.string(),
    /** False when an earlier submission for the same order was updated. */
    firstSubmission: z.boolean(),
    locale: z.enum(SUPPORTED_LOCALES),
    /** The satisfaction answer, 1 (very unhappy) to 5 (very happy), when given. */
    satisfaction: z.number().int().min(1).max(5).optional(),
    interests: z.array(z.string()),
    /** Customer id of the referrer the customer named, when they named one. */
    referredBy: z.string().optional(),
    /** A double opt-in email was sent because of this submission (first submission or a changed address). */
    optInRequested: z.boolean(),
    marketingConsentRequested: z.boolean(),
  }),
);
