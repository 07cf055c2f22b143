import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/**
 * A purchase attributed to a campaign email (last click, else open, else delivery, within the configured windows).
 * Published once per order, in the same PutEvents call as its PurchaseRecorded.
 */
export const CampaignConversion = defineEvent(
  'CampaignConversion',
  z.object({
    orderId: z.string(),
    customerId: z.string(),
    campaignId: z.string(),
    occurrenceId: z.string(),
    /** SES message id of the email that was touched. */
    messageId: z.string(),
    touch: z.enum(['click', 'open', 'delivery']),
    touchedAt: z.string(),
    purchasedAt: z.string(),
    /** Order total in the shop's base currency, minor units (always > 0: refunds are never attributed). */
    revenueMinor: z.number().int().positive(),
    currency: z.string(),
  }),
);
