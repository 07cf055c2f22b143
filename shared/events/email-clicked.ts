import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';
import { emailEventFields } from '#shared/events/email-event-fields.ts';

/** A click on a link in the email (SES CLICK); `link` without its query string. */
export const EmailClicked = defineEvent('EmailClicked', z.object({ ...emailEventFields, link: z.string(), firstClick: z.boolean() }));
