import * as z from 'zod';

/** Lines an order may have; far more would not fit one DynamoDB item anyway. */
export const MAX_ORDER_LINES = 10_000;

/** One line of an order. A refund is a line with a negative price; quantities are always positive. */
export const LineItemInput = z.strictObject({
  sku: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  category: z.string().trim().min(1).max(64),
  price: z.number().finite().min(-1_000_000_000).max(1_000_000_000),
  quantity: z.number().int('must be a whole number').positive('must be at least 1 (record a refund as a negative price)').max(100_000),
});

/** Body of POST /api/purchases (README: HTTP API). */
export const PurchaseInput = z.strictObject({
  orderId: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:\-/#]+$/, 'may contain letters, digits and . _ : - / # only'),
  customerEmail: z.email().max(254),
  customerName: z.string().trim().min(1).max(200).optional(),
  /** The customer's phone number as the till or shop has it (staff find customers by it); digits, spaces, + ( ) - . */
  customerPhone: z
    .string()
    .trim()
    .max(32)
    .regex(/^[+(]{0,2}[0-9][0-9 ().-]{4,}$/, 'must be a phone number: digits, optionally a leading +, spaces, dashes, dots or parentheses')
    .optional(),
  /** Any BCP 47 language tag; the form picks the nearest supported language. */
  locale: z.string().trim().min(2).max(35).optional(),
  // Wholesale orders run to thousands of lines; the real bound is the order item's 400 KB (checked by orderItemFits).
  items: z.array(LineItemInput).min(1, 'must list at least one item').max(MAX_ORDER_LINES, `must list at most ${MAX_ORDER_LINES} items`),
  total: z.number().finite().min(-1_000_000_000).max(1_000_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as EUR'),
  purchasedAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-25T10:00:00Z' }),
  couponCodes: z.array(z.string().trim().min(1).max(64)).max(20).optional(),
});

export type PurchaseInput = z.output<typeof PurchaseInput>;
export type LineItemInput = z.output<typeof LineItemInput>;
