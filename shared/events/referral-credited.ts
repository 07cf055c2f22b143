import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/**
 * Published once per referred customer, when their address is confirmed and the referral is credited to the
 * referrer. `customerId` is the referrer — the customer a thank-you goes to — so campaign rules address them.
 */
export const ReferralCredited = defineEvent(
  'ReferralCredited',
  z.object({
    customerId: z.string(),
    referredCustomerId: z.string(),
    orderId: z.string(),
    creditedAt: z.string(),
  }),
);
