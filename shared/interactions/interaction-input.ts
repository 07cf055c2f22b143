import * as z from 'zod';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES } from '#shared/console/console-config.ts';

/**
 * POST /api/interactions (and the console's contact form): one staff contact with a customer. The reason must be one
 * of config/console.yaml's list, so the schema is built from it once at cold start.
 */
export function interactionInputSchema(reasons: readonly string[]) {
  return z
    .strictObject({
      interactionId: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, 'letters, digits, . _ : - (at most 100)'),
      customerEmail: z.email('must be an email address').max(254).optional(),
      customerId: z
        .string()
        .regex(/^[ckx]_[0-9a-f]{24}$/, 'must be a Kinship customer id (k_…, x_…, or c_… from before keyed ids)')
        .optional(),
      channel: z.enum(CONTACT_CHANNELS, `must be one of ${CONTACT_CHANNELS.join(', ')}`),
      reason: z.string().refine((value) => reasons.includes(value), `must be one of ${reasons.join(', ')}`),
      satisfied: z.coerce
        .number('must be a whole number from 1 to 5')
        .int('must be a whole number from 1 to 5')
        .min(1, 'must be 1 to 5')
        .max(5, 'must be 1 to 5'),
      satisfiedWhy: z.string().trim().max(2000).optional(),
      whatWasDone: z.string().trim().max(2000).optional(),
      outcome: z.enum(CONTACT_OUTCOMES, `must be one of ${CONTACT_OUTCOMES.join(', ')}`),
      note: z.string().trim().max(4000).optional(),
      staffId: z.string().trim().min(1, 'is required').max(200),
    })
    .refine((input) => (input.customerEmail === undefined) !== (input.customerId === undefined), {
      message: 'give exactly one of customerEmail or customerId',
      path: ['customerEmail'],
    });
}

export type InteractionInput = z.output<ReturnType<typeof interactionInputSchema>>;
