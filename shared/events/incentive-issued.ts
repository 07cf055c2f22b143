import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/** Published once per order when its incentive is issued. The code itself stays in the table (it is a bearer value). */
export const IncentiveIssued = defineEvent(
  'IncentiveIssued',
  z.object({
    orderId: z.string(),
    customerId: z.string(),
    type: z.enum(['coupon', 'warranty', 'gift-card']),
    /** The category whose rule applied, or "default". */
    rule: z.string(),
    codeSource: z.enum(['generated', 'pool']),
    pool: z.string().optional(),
    percent: z.number().optional(),
    /** Value in base-currency minor units (amount coupons and gift cards). */
    valueMinor: z.number().int().optional(),
    currency: z.string().optional(),
    months: z.number().int().optional(),
    validUntil: z.string().optional(),
    issuedAt: z.string(),
  }),
);
