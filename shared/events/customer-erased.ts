import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';

/**
 * Published once per erasure (`kinship privacy erase`, the console or POST /api/privacy/erase). Carries the old
 * customer id only — never the address — so consumers that keep their own copies (a CRM, a warehouse) can drop them.
 */
export const CustomerErased = defineEvent(
  'CustomerErased',
  z.object({
    customerId: z.string(),
    erasedAt: z.string(),
  }),
);
