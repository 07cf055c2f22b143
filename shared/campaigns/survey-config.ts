/**
 * A campaign's `survey` in campaigns.yaml: its own module so that the survey page (the unsubscribe function) validates
 * only the campaigns' surveys (loadYamlSections) and does not build the whole campaigns schema at cold start.
 */
import * as z from 'zod';
import { loadYamlSections } from '#shared/config/load-yaml.ts';

/** A one-click question under the email ("why did you stop buying from us?"); each choice is a signed link. */
export const SurveyChoiceId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'choice ids are lower-case words joined by -, e.g. too-expensive');
export const SurveySchema = z
  .strictObject({
    choices: z
      .array(SurveyChoiceId)
      .min(2)
      .max(8)
      .refine((choices) => new Set(choices).size === choices.length, 'each choice once')
      .describe('answer ids; each needs survey.reason.<id> in every config/messages/*.json'),
  })
  .describe('ask the recipient one question with one-click answers; an answer is recorded as a contact of channel survey');

/** Of each campaign, what the survey page needs: its id and its survey (triggered campaigns may ask one). */
const CampaignSurveysSchema = z.array(z.looseObject({ id: z.string(), kind: z.string(), survey: SurveySchema.optional() }));

/** The campaigns' surveys in config/campaigns.yaml, validated without building the rest of the campaigns schema. */
export function loadCampaignSurveys(dir?: string): z.output<typeof CampaignSurveysSchema> {
  return loadYamlSections('campaigns.yaml', { campaigns: CampaignSurveysSchema }, dir).campaigns;
}
