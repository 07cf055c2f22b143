import { z } from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';
import { SUPPORTED_LOCALES } from '#shared/locales.ts';

/** Published once per campaign email accepted by SES. Ids only: the address stays on the profile. */
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
