/**
 * config/campaigns.yaml — the marketer's file. One zod schema: it validates the file at `campaigns validate`,
 * `cdk synth`, `npm start` and every cold start, and generates the JSON Schema editors autocomplete from
 * (config/schemas/campaigns.schema.json).
 */
import * as z from 'zod';
import { SUPPORTED_LOCALES } from '#shared/locales.ts';
import { validateEventPattern } from '#shared/events/pattern-matcher.ts';
import { TRIGGER_EVENTS, triggerContract } from '#shared/events/trigger-events.ts';
import { checkScheduleExpression } from '#shared/schedule/schedule-expression.ts';
import { isValidTimeZone } from '#shared/schedule/zoned-time.ts';
import { AttributionWindowsSchema } from '#shared/campaigns/attribution-config.ts';
import { SurveySchema } from '#shared/campaigns/survey-config.ts';

const CampaignId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'use lower-case letters, digits and dashes (at most 48), e.g. win-back')
  .describe('kebab-case id; also names the template folder config/templates/<id>/ unless `template` says otherwise');

const SegmentId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a segment id such as lapsed, gold or rfm-at-risk');

const TimeZone = z.string().refine(isValidTimeZone, 'is not an IANA time zone such as Atlantic/Reykjavik');

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a 24-hour time such as 21:00');

/** A coupon minted per recipient when the campaign is sent. */
export const CouponGrantSchema = z
  .strictObject({
    discount: z.union([
      z.strictObject({ percent: z.number().int().min(1).max(100) }),
      z.strictObject({ amount: z.number().positive().describe('in the shop base currency') }),
    ]),
    appliesTo: z.array(z.string().min(1)).default([]).describe('product categories; empty = the whole shop'),
    validDays: z.number().int().min(1).max(3650),
    prefix: z.string().regex(/^[A-Z0-9]{2,12}$/, 'two to twelve capital letters or digits, e.g. BACK'),
  })
  .describe('a unique coupon code per recipient');

const Delay = z
  .strictObject({
    days: z.number().int().min(0).max(365).default(0),
    hours: z.number().int().min(0).max(23).default(0),
  })
  .describe('wait this long after the trigger before sending ("3 days after")');

const Audience = z.strictObject({
  include: z.array(SegmentId).min(1).describe('customers in any of these segments'),
  exclude: z.array(SegmentId).default([]).describe('…except those in any of these'),
});

const NewsletterSchedule = z
  .strictObject({
    expression: z.string().describe('EventBridge Scheduler expression: cron(0 10 1 * ? *) or at(2026-12-01T10:00:00)'),
    timezone: TimeZone.optional().describe('time zone of the expression; default: defaults.timezone'),
    recipientLocalTime: z
      .boolean()
      .default(false)
      .describe(
        "deliver at the schedule's wall time in each recipient's own time zone (from their country); set `timezone` to the easternmost zone you serve, as the run starts there",
      ),
  })
  .superRefine((schedule, ctx) => {
    const check = checkScheduleExpression(schedule.expression, schedule.timezone);
    if (!check.ok) ctx.addIssue({ code: 'custom', path: ['expression'], message: check.error });
    else if (check.schedule.kind === 'rate')
      ctx.addIssue({ code: 'custom', path: ['expression'], message: 'a newsletter runs on a cron(...) or at(...) schedule, not rate(...)' });
  });

const common = {
  id: CampaignId,
  description: z.string().max(300).optional(),
  template: CampaignId.optional().describe('template folder under config/templates/; default: the campaign id'),
  coupon: CouponGrantSchema.optional(),
  enabled: z.boolean().default(true),
  holdoutPercent: z
    .number()
    .min(0)
    .max(50)
    .default(0)
    .describe('percent of the audience (0–50; resolution 0.01) deterministically held out and never emailed, so the report can show what the email caused'),
};

/**
 * Marketing messages need marketing consent and count against the frequency cap; service messages (service
 * recovery, a referral thank-you, a case follow-up) need neither, yet never go to a suppressed address or one that
 * unsubscribed from every email. The campaign's template folder must declare the same kind (template.yaml).
 */
export const MESSAGE_PURPOSES = ['marketing', 'service'] as const;
export type MessagePurpose = (typeof MESSAGE_PURPOSES)[number];

export const NewsletterSchema = z.strictObject({
  ...common,
  kind: z.literal('newsletter'),
  purpose: z
    .literal('marketing', { error: 'a newsletter is marketing; a service message is a `triggered` campaign about one customer' })
    .default('marketing')
    .describe('a newsletter is always marketing'),
  audience: Audience,
  schedule: NewsletterSchedule,
});

export const TriggeredSchema = z.strictObject({
  ...common,
  kind: z.literal('triggered'),
  purpose: z
    .enum(MESSAGE_PURPOSES)
    .default('marketing')
    .describe(
      'marketing (needs consent, counts against the frequency cap, waits out quiet hours) or service (no consent or cap; never to a suppressed or unsubscribed-from-everything address); the template folder must declare the same kind',
    ),
  trigger: z
    .strictObject({
      // The names come from the event contracts (shared/events/trigger-events.ts).
      event: z.enum(TRIGGER_EVENTS),
      detail: z.record(z.string(), z.unknown()).optional().describe('EventBridge pattern over the event detail, e.g. { segment: [lapsed] }'),
    })
    .superRefine((trigger, ctx) => {
      if (trigger.detail === undefined) return;
      // The whole rule pattern, as the stack deploys it: EventBridge checks (and may refuse) the rule as one.
      const check = validateEventPattern(triggerContract(trigger.event).pattern(trigger.detail));
      if (!check.ok) ctx.addIssue({ code: 'custom', path: ['detail'], message: `not a valid EventBridge pattern: ${check.error}` });
    }),
  delay: Delay.optional(),
  /** Checked when the (delayed) message is sent: a customer who bought since the trigger gets nothing. */
  exitIf: z.array(z.enum(['purchased-since-trigger'])).default([]),
  oncePerCustomer: z.boolean().default(false).describe('send at most once per customer, ever (welcome emails)'),
  survey: SurveySchema.optional(),
});

export const CampaignSchema = z.discriminatedUnion('kind', [NewsletterSchema, TriggeredSchema]);
export type Campaign = z.output<typeof CampaignSchema>;

const DEFAULTS = {
  fallbackLocale: 'en',
  timezone: 'UTC',
  frequencyCap: { maxEmails: 2, perDays: 7 },
  sendRatePerSecond: 10,
} as const;

export const CampaignsFileSchema = z.strictObject({
  $schema: z.string().optional(),
  defaults: z
    .strictObject({
      fallbackLocale: z.enum(SUPPORTED_LOCALES).default(DEFAULTS.fallbackLocale).describe("language used when a recipient's has no template"),
      timezone: TimeZone.default(DEFAULTS.timezone),
      frequencyCap: z
        .strictObject({ maxEmails: z.number().int().min(1).max(100), perDays: z.number().int().min(1).max(90) })
        .default(DEFAULTS.frequencyCap)
        .describe('at most maxEmails marketing emails per customer in any perDays days'),
      quietHours: z
        .strictObject({ start: ClockTime, end: ClockTime })
        .optional()
        .describe("no marketing email in this window of the recipient's (or the shop's) local time; sends wait until it ends"),
      sendRatePerSecond: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(DEFAULTS.sendRatePerSecond)
        .describe("stay under the account's SES send rate; also sizes the sender's batches (redeploy after a change)"),
    })
    .default(DEFAULTS),
  attribution: AttributionWindowsSchema,
  campaigns: z.array(CampaignSchema).superRefine((campaigns, ctx) => {
    const seen = new Map<string, number>();
    campaigns.forEach((campaign, index) => {
      const first = seen.get(campaign.id);
      if (first !== undefined)
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate campaign id "${campaign.id}" (also campaign ${first + 1})` });
      else seen.set(campaign.id, index);
    });
  }),
});
export type CampaignsFile = z.output<typeof CampaignsFileSchema>;

export function templateFolderOf(campaign: Pick<Campaign, 'id' | 'template'>): string {
  return campaign.template ?? campaign.id;
}

/** The JSON Schema for editors (yaml-language-server reads it through the file's `$schema` line). */
export function campaignsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(CampaignsFileSchema, { io: 'input', unrepresentable: 'any' });
}
