import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';
import { emailEventFields } from '#shared/events/email-event-fields.ts';

/** An open of the email (SES OPEN), published for each distinct open event SES reports (a repeat delivery of one is not). */
export const EmailOpened = defineEvent('EmailOpened', z.object({ ...emailEventFields, firstOpen: z.boolean() }));
