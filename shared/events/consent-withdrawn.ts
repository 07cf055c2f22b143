import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/** Published when a customer withdraws marketing consent (an unsubscribe link, a one-click POST from their mailbox, a spam complaint). */
export const ConsentWithdrawn = defineEvent(
  'ConsentWithdrawn',
  z.object({
    customerId: z.string(),
    channel: z.literal('email'),
    /** `one-click`: the RFC 8058 POST from the mailbox; `page`: the button on the unsubscribe page; `complaint`: marked as spam. */
    source: z.enum(['one-click', 'page', 'complaint']),
    /** The campaign whose email carried the link (or was complained about); none for a complaint about a capture email. */
    campaignId: z.string().optional(),
    withdrawnAt: z.string(),
  }),
);
