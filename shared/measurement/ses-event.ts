/**
 * An SES event record as EventBridge delivers it (source `aws.ses`): the configuration set's event destination
 * publishes one event per SEND, DELIVERY, BOUNCE, COMPLAINT, REJECT, OPEN, CLICK, RENDERING_FAILURE,
 * DELIVERY_DELAY and SUBSCRIPTION, on the account's default bus. Shapes follow SES's documented examples
 * (test/fixtures/ses-events); only the fields Kinship reads are checked, the rest passes through.
 */
import * as z from 'zod';

export const SES_EVENT_SOURCE = 'aws.ses';

/** EventBridge detail-type → the record's `eventType`. */
export const SES_DETAIL_TYPES = {
  'Email Sent': 'Send',
  'Email Delivered': 'Delivery',
  'Email Bounced': 'Bounce',
  'Email Complaint Received': 'Complaint',
  'Email Rejected': 'Reject',
  'Email Opened': 'Open',
  'Email Clicked': 'Click',
  'Email Rendering Failed': 'Rendering Failure',
  'Email Delivery Delayed': 'DeliveryDelay',
  'Email Subscribed': 'Subscription',
} as const;

export type SesDetailType = keyof typeof SES_DETAIL_TYPES;
export type SesEventType = (typeof SES_DETAIL_TYPES)[SesDetailType];

/** The rule's pattern: every SES email event, whatever its type. */
export function sesEventPattern(): { source: string[]; 'detail-type': string[] } {
  return { source: [SES_EVENT_SOURCE], 'detail-type': Object.keys(SES_DETAIL_TYPES) };
}

const Recipient = z.looseObject({ emailAddress: z.string() });

export const SesMail = z.looseObject({
  timestamp: z.iso.datetime({ offset: true }),
  messageId: z.string().min(1).max(200),
  source: z.string().optional(),
  destination: z.array(z.string()).default([]),
  /** Only through a configuration set: `{ name: [value] }`, SES's own (`ses:…`) and ours. */
  tags: z.record(z.string(), z.array(z.string())).optional(),
});

const at = z.iso.datetime({ offset: true });

export const SesEventRecord = z.discriminatedUnion('eventType', [
  z.looseObject({ eventType: z.literal('Send'), mail: SesMail, send: z.looseObject({}).optional() }),
  z.looseObject({ eventType: z.literal('Delivery'), mail: SesMail, delivery: z.looseObject({ timestamp: at, recipients: z.array(z.string()).default([]) }) }),
  z.looseObject({
    eventType: z.literal('Bounce'),
    mail: SesMail,
    bounce: z.looseObject({
      bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
      bounceSubType: z.string(),
      bouncedRecipients: z.array(Recipient),
      timestamp: at,
      feedbackId: z.string().optional(),
    }),
  }),
  z.looseObject({
    eventType: z.literal('Complaint'),
    mail: SesMail,
    complaint: z.looseObject({
      complainedRecipients: z.array(Recipient),
      timestamp: at,
      feedbackId: z.string().optional(),
      complaintFeedbackType: z.string().optional(),
    }),
  }),
  z.looseObject({ eventType: z.literal('Reject'), mail: SesMail, reject: z.looseObject({ reason: z.string() }) }),
  z.looseObject({
    eventType: z.literal('Open'),
    mail: SesMail,
    open: z.looseObject({ timestamp: at, ipAddress: z.string().optional(), userAgent: z.string().optional() }),
  }),
  z.looseObject({
    eventType: z.literal('Click'),
    mail: SesMail,
    click: z.looseObject({ timestamp: at, link: z.string(), ipAddress: z.string().optional(), userAgent: z.string().optional() }),
  }),
  z.looseObject({
    eventType: z.literal('Rendering Failure'),
    mail: SesMail,
    failure: z.looseObject({ errorMessage: z.string(), templateName: z.string().optional() }),
  }),
  z.looseObject({
    eventType: z.literal('DeliveryDelay'),
    mail: SesMail,
    deliveryDelay: z.looseObject({
      timestamp: at,
      delayType: z.string(),
      delayedRecipients: z.array(Recipient).default([]),
      expirationTime: z.string().optional(),
    }),
  }),
  z.looseObject({
    eventType: z.literal('Subscription'),
    mail: SesMail,
    subscription: z.looseObject({ timestamp: at, contactList: z.string().optional(), source: z.string().optional() }),
  }),
]);
export type SesEventRecord = z.output<typeof SesEventRecord>;

/** The EventBridge envelope around the record. */
export const SesEventBridgeEvent = z.looseObject({
  id: z.string(),
  source: z.literal(SES_EVENT_SOURCE),
  'detail-type': z.string(),
  time: z.string().optional(),
  detail: SesEventRecord,
});
export type SesEventBridgeEvent = z.output<typeof SesEventBridgeEvent>;

/** Kinship's lower-case event names (the EMAILEVT item's `eventType`). */
export type EmailEventType =
  | 'send'
  | 'delivery'
  | 'bounce'
  | 'complaint'
  | 'reject'
  | 'open'
  | 'click'
  | 'rendering-failure'
  | 'delivery-delay'
  | 'subscription';

export const EMAIL_EVENT_TYPES: Record<SesEventType, EmailEventType> = {
  Send: 'send',
  Delivery: 'delivery',
  Bounce: 'bounce',
  Complaint: 'complaint',
  Reject: 'reject',
  Open: 'open',
  Click: 'click',
  'Rendering Failure': 'rendering-failure',
  DeliveryDelay: 'delivery-delay',
  Subscription: 'subscription',
};

/**
 * When the event happened: the event's own timestamp where it has one (the bounce, the click), else the mail's.
 * Derived from the event only, so a redelivered copy yields the same instant (and the same item key).
 */
export function eventTime(record: SesEventRecord): string {
  switch (record.eventType) {
    case 'Delivery':
      return record.delivery.timestamp;
    case 'Bounce':
      return record.bounce.timestamp;
    case 'Complaint':
      return record.complaint.timestamp;
    case 'Open':
      return record.open.timestamp;
    case 'Click':
      return record.click.timestamp;
    case 'DeliveryDelay':
      return record.deliveryDelay.timestamp;
    case 'Subscription':
      return record.subscription.timestamp;
    case 'Send':
    case 'Reject':
    case 'Rendering Failure':
      return record.mail.timestamp;
  }
}
