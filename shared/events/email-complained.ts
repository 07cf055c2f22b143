import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';
import { emailEventFields } from '#shared/events/email-event-fields.ts';

/** The recipient marked the email as spam (SES COMPLAINT): the address is suppressed and marketing consent withdrawn. */
export const EmailComplained = defineEvent('EmailComplained', z.object({ ...emailEventFields }));
