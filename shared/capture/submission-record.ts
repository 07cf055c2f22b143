import * as z from 'zod';
import { SUPPORTED_LOCALES } from '#shared/locales.ts';
import { AGE_BANDS, GENDERS, HEARD_FROM, SIZES, type Submission } from '#shared/capture/submission-schema.ts';

/** The answers kept from a submission (everything but the token, the honeypot, the address and the checkboxes). */
export const AnswersSchema = z.object({
  products: z.array(z.string()).default([]),
  name: z.string().optional(),
  ageBand: z.enum(AGE_BANDS).optional(),
  gender: z.enum(GENDERS).optional(),
  country: z.string().optional(),
  postcode: z.string().optional(),
  size: z.enum(SIZES).optional(),
  satisfaction: z.number().int().min(1).max(5).optional(),
  satisfactionReason: z.string().optional(),
  whyChoseUs: z.string().optional(),
  heardFrom: z.enum(HEARD_FROM).optional(),
  heardFromOther: z.string().optional(),
  referrerEmail: z.string().optional(),
  interests: z.array(z.string()).default([]),
  preferredLanguage: z.enum(SUPPORTED_LOCALES).optional(),
});
export type Answers = z.output<typeof AnswersSchema>;

/**
 * The SUBMISSION item of an order (PK ORDER#<orderId>, SK SUBMISSION): the latest answers and the state of the
 * current double opt-in. `optInTokenExp` is the expiry of the confirm link sent for the current address; it is
 * also the opt-in's version, so a link sent to an address the customer has since replaced is refused.
 */
export const SubmissionRecordSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  firstSubmittedAt: z.string(),
  submittedAt: z.string(),
  submissionCount: z.number().int(),
  /** The language the form was shown in when last submitted. */
  locale: z.enum(SUPPORTED_LOCALES),
  email: z.string(),
  marketingConsent: z.boolean(),
  /** Hash of the consent wording shown (see consentWordingVersion). */
  wordingVersion: z.string(),
  answers: AnswersSchema,
  optInEmail: z.string(),
  optInTokenExp: z.number(),
  optInRequestedAt: z.string(),
  optInLocale: z.enum(SUPPORTED_LOCALES),
  optInMarketingConsent: z.boolean(),
  optInWordingVersion: z.string(),
  /** How many opt-ins (opt-in emails) this order has had; absent on items written before it was counted (then 1). */
  optInCount: z.number().int().optional(),
  optInSentAt: z.string().optional(),
  optInConfirmedAt: z.string().optional(),
});
export type SubmissionRecord = z.output<typeof SubmissionRecordSchema>;

export function answersOf(submission: Submission): Answers {
  return {
    products: submission.products,
    name: submission.name,
    ageBand: submission.ageBand,
    gender: submission.gender,
    country: submission.country,
    postcode: submission.postcode,
    size: submission.size,
    satisfaction: submission.satisfaction,
    satisfactionReason: submission.satisfactionReason,
    whyChoseUs: submission.whyChoseUs,
    heardFrom: submission.heardFrom,
    heardFromOther: submission.heardFromOther,
    referrerEmail: submission.referrerEmail,
    interests: submission.interests,
    preferredLanguage: submission.preferredLanguage,
  };
}
