import * as z from 'zod';

/** What every email outcome event carries: ids only (the address stays on the profile). */
export const emailEventFields = {
  customerId: z.string(),
  /** Campaign emails only; capture emails (opt-in, incentive) have none. */
  campaignId: z.string().optional(),
  occurrenceId: z.string().optional(),
  /** The SES message id, as EmailSent published it. */
  messageId: z.string(),
  kind: z.enum(['marketing', 'service', 'opt-in', 'incentive']).optional(),
  /** When it happened, by SES's clock. */
  at: z.string(),
};
