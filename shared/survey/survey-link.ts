/**
 * The links of an email's one-click survey ("why did you stop buying from us?"): one signed link per answer, naming
 * the email (customer, campaign, occurrence) and the answer it preselects. Its own token purpose, so neither an
 * unsubscribe nor a form link can stand in for it (and it for them).
 */
import { signToken, verifyToken, type TokenCheck } from '#shared/tokens/signed-token.ts';

export const SURVEY_TOKEN_PURPOSE = 'survey';
/** An answer is worth having for months after the email; after a year it is stale. */
const SURVEY_TTL_SECONDS = 365 * 86_400;

export interface SurveySubject {
  customerId: string;
  campaignId: string;
  occurrenceId: string;
  /** The answer the link preselects (the page lets the customer change it). */
  choice: string;
}

const PART = /^[^|]+$/;

export function surveySubject(subject: SurveySubject): string {
  const parts = [subject.customerId, subject.campaignId, subject.occurrenceId, subject.choice];
  if (!parts.every((part) => PART.test(part))) throw new Error('survey link parts must be non-empty and free of "|"');
  return parts.join('|');
}

export function parseSurveySubject(sub: string): SurveySubject | undefined {
  const [customerId, campaignId, occurrenceId, choice, extra] = sub.split('|');
  return customerId && campaignId && occurrenceId && choice && extra === undefined ? { customerId, campaignId, occurrenceId, choice } : undefined;
}

export function surveyUrl(publicBaseUrl: string, key: string, subject: SurveySubject, now: Date): string {
  const url = new URL('/survey', publicBaseUrl);
  url.searchParams.set(
    'token',
    signToken({ purpose: SURVEY_TOKEN_PURPOSE, sub: surveySubject(subject), exp: Math.floor(now.getTime() / 1000) + SURVEY_TTL_SECONDS }, key),
  );
  return url.toString();
}

export function verifySurveyToken(token: string, key: string, now: Date): TokenCheck {
  return verifyToken(token, SURVEY_TOKEN_PURPOSE, key, now);
}
