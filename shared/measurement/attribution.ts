/**
 * Attribution of a purchase to the campaign email that most plausibly caused it: the one the customer last clicked
 * within `clickWindowDays` before the purchase, else last opened within `openWindowDays`, else last had delivered
 * within `deliveryWindowDays`. Pure: the touches come from the profile (`lastEmailClicked|Opened|Delivered`).
 */
import * as z from 'zod';
import type { AttributionWindows } from '#shared/campaigns/attribution-config.ts';

export const EmailTouchSchema = z.object({
  at: z.string(),
  campaignId: z.string(),
  occurrenceId: z.string(),
  messageId: z.string(),
});
export type EmailTouch = z.output<typeof EmailTouchSchema>;

export type TouchKind = 'click' | 'open' | 'delivery';

/** The customer's latest campaign-email touches, as the profile holds them. */
export interface EmailTouches {
  click?: EmailTouch | undefined;
  open?: EmailTouch | undefined;
  delivery?: EmailTouch | undefined;
}

/** Stored on the order (`attribution`) and published as CampaignConversion. */
export const AttributionSchema = z.object({
  campaignId: z.string(),
  occurrenceId: z.string(),
  messageId: z.string(),
  touch: z.enum(['click', 'open', 'delivery']),
  touchedAt: z.string(),
  revenueMinor: z.number().int(),
});
export type Attribution = z.output<typeof AttributionSchema>;

const DAY_MS = 86_400_000;

/**
 * The attribution of a purchase of `revenueMinor` (base currency) at `purchasedAt`, or undefined when no touch falls
 * in its window or there is no revenue (a refund or a zero order). A touch after the purchase does not count; since
 * the profile keeps only the latest touch of each kind, an earlier one is then not known and the next kind is tried.
 */
export function attributePurchase(touches: EmailTouches, purchasedAt: string, revenueMinor: number, windows: AttributionWindows): Attribution | undefined {
  if (revenueMinor <= 0) return undefined;
  const purchasedMs = Date.parse(purchasedAt);
  const order: [TouchKind, EmailTouch | undefined, number][] = [
    ['click', touches.click, windows.clickWindowDays],
    ['open', touches.open, windows.openWindowDays],
    ['delivery', touches.delivery, windows.deliveryWindowDays],
  ];
  for (const [touch, at, windowDays] of order) {
    if (at === undefined || windowDays <= 0) continue;
    const age = purchasedMs - Date.parse(at.at);
    if (age >= 0 && age <= windowDays * DAY_MS) {
      return { campaignId: at.campaignId, occurrenceId: at.occurrenceId, messageId: at.messageId, touch, touchedAt: at.at, revenueMinor };
    }
  }
  return undefined;
}

/** Reads one touch as stored on the profile; anything malformed counts as no touch. */
export function touchOf(value: unknown): EmailTouch | undefined {
  const parsed = EmailTouchSchema.safeParse(value);
  return parsed.success && !Number.isNaN(Date.parse(parsed.data.at)) ? parsed.data : undefined;
}
