import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';
import { SUPPORTED_LOCALES } from '#shared/locales.ts';

/**
 * Published at most once per campaign email SES accepted, with its message id: by the sender once the claim is
 * marked sent, or by record-email-event when an SES event settles a claim whose SES call timed out. Not at least
 * once: if PutEvents keeps failing or the worker stops before it, the event is lost (logged), since a redelivery
 * finds the claim sent and publishes nothing. Ids only: the address stays on the profile.
 */
export const EmailSent = defineEvent(
  'EmailSent',
  z.object({
    customerId: z.string(),
    campaignId: z.string(),
    occurrenceId: z.string(),
    /** SES message id: delivery, open and click events carry it back. */
    messageId: z.string(),
    locale: z.enum(SUPPORTED_LOCALES),
    withCoupon: z.boolean(),
    sentAt: z.string(),
  }),
);
