import * as z from 'zod';
import { defineEvent } from '#shared/events/event-definition.ts';
import { emailEventFields } from '#shared/events/email-event-fields.ts';

/** The recipient's mail server accepted the email (SES DELIVERY), published once per message. */
export const EmailDelivered = defineEvent('EmailDelivered', z.object({ ...emailEventFields }));
