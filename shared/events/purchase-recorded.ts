import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/** Published once per order recorded through the API (CSV history imports do not publish per order). */
export const PurchaseRecorded = defineEvent(
  'PurchaseRecorded',
  z.object({
    orderId: z.string(),
    customerId: z.string(),
    /** Order total in the shop's base currency, minor units. Negative for a refund. */
    totalMinor: z.number().int(),
    currency: z.string(),
    purchasedAt: z.string(),
    categories: z.array(z.string()),
    kind: z.enum(['purchase', 'refund']),
    firstPurchase: z.boolean(),
  }),
);
