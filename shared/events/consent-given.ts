import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';
import { SUPPORTED_LOCALES } from '#shared/locales.ts';

/** Published when a customer confirms their address through the double opt-in link; the ledger item holds the details. */
export const ConsentGiven = defineEvent(
  'ConsentGiven',
  z.object({
    customerId: z.string(),
    orderId: z.string(),
    channel: z.literal('email'),
    /** Consent to marketing email (the form's separate, unticked-by-default checkbox). */
    marketingEmail: z.boolean(),
    /** Agreement to the incentive's terms (required to submit). */
    incentiveTerms: z.boolean(),
    /** Hash of the catalog wording the customer saw. */
    wordingVersion: z.string(),
    locale: z.enum(SUPPORTED_LOCALES),
    source: z.literal('form'),
    consentedAt: z.string(),
  }),
);
