import { z } from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/** Published when a customer withdraws marketing consent (an unsubscribe link, a one-click POST from their mailbox). */
export const ConsentWithdrawn = defineEvent(
  'ConsentWithdrawn',
  z.object({
    customerId: z.string(),
    channel: z.literal('email'),
    /** `one-click`: the RFC 8058 POST from the mailbox; `page`: the button on the unsubscribe page. */
    source: z.enum(['one-click', 'page']),
    /** The campaign whose email carried the link. */
    campaignId: z.string(),
    withdrawnAt: z.string(),
  }),
);
