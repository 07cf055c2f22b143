import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';
import { emailEventFields } from '#shared/events/email-event-fields.ts';

/** The email bounced (SES BOUNCE), published once per message; `suppressed` when the address was suppressed for it. */
export const EmailBounced = defineEvent(
  'EmailBounced',
  z.object({
    ...emailEventFields,
    bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
    bounceSubType: z.string(),
    suppressed: z.boolean(),
  }),
);
