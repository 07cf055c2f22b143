/**
 * GET /survey?token=… shows a small localized page — the question with the clicked answer preselected, an optional
 * note and one button — and records nothing: link scanners and previews open every link in an email. POST
 * /survey?token=… (the page's button, a plain form post, no JavaScript) records the answer as a contact of channel
 * `survey`, once per email: a repeat with the same answer changes nothing, another answer replaces the first.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ShopConfig } from '#shared/config/shop-config.ts';
import { LinkExpiredError } from '#shared/capture/capture-errors.ts';
import type { HttpRequest } from '#shared/capture/http-request.ts';
import { messagePage } from '#shared/capture/pages/message-page.ts';
import { errorPageResult, pageResult, requestTranslator } from '#shared/capture/routes/page-result.ts';
import { NotFoundError } from '#shared/errors.ts';
import type { HttpResult } from '#shared/http/http-response.ts';
import { bodyText } from '#shared/http/parse-body.ts';
import { translator, type Catalogs, type Translator } from '#shared/i18n/catalogs.ts';
import { html, raw } from '#shared/i18n/html.ts';
import { recordSurveyAnswer, SURVEY_NOTE_MAX, surveyInteractionId } from '#shared/interactions/survey-answer.ts';
import { logger } from '#shared/logger.ts';
import { nearestSupportedLocale, type Locale } from '#shared/locales.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { parseSurveySubject, verifySurveyToken, type SurveySubject } from '#shared/survey/survey-link.ts';

export interface SurveyRouteDeps {
  table: Table;
  signingKey: string;
  now: () => Date;
  catalogs: Catalogs;
  shop: ShopConfig;
  /** The answers each campaign's survey offers (campaigns.yaml `survey.choices`), by campaign id. */
  surveys: ReadonlyMap<string, readonly string[]>;
}

interface SurveyTarget extends SurveySubject {
  choices: readonly string[];
  locale: Locale | undefined;
  /** The answer already recorded for this email, if any (the page preselects it). */
  answered: string | undefined;
}

const MAX_BODY = 8 * 1024;

export async function handleSurvey(deps: SurveyRouteDeps, request: HttpRequest & { requestContext?: { http?: { method?: string } } }): Promise<HttpResult> {
  const token = request.queryStringParameters?.token;
  const fallback = deps.shop.shop.defaultLocale;
  try {
    const target = await surveyTarget(deps, token);
    const t = translator(
      deps.catalogs,
      request.queryStringParameters?.lang ? requestTranslator(deps.catalogs, request, fallback).locale : (target.locale ?? fallback),
    );
    const action = `?token=${encodeURIComponent(token ?? '')}`;
    if ((request.requestContext?.http?.method ?? 'GET') !== 'POST')
      return pageResult(200, surveyPage(deps, t, target, action, { reason: target.answered ?? target.choice, note: '' }, {}));

    const form = new URLSearchParams(bodyText({ body: request.body, isBase64Encoded: request.isBase64Encoded ?? false }, MAX_BODY));
    const reason = form.get('reason') ?? '';
    const note = (form.get('note') ?? '').trim();
    const errors: FieldErrors = {};
    if (!target.choices.includes(reason)) errors.reason = t.t('error.choice');
    if (note.length > SURVEY_NOTE_MAX) errors.note = t.t('error.tooLong', { max: SURVEY_NOTE_MAX });
    if (errors.reason || errors.note) return pageResult(400, surveyPage(deps, t, target, action, { reason, note }, errors));

    const result = await recordSurveyAnswer(deps, {
      customerId: target.customerId,
      campaignId: target.campaignId,
      occurrenceId: target.occurrenceId,
      reason,
      note: note === '' ? undefined : note,
    });
    logger.info('survey answer recorded', {
      customerId: target.customerId,
      campaignId: target.campaignId,
      interactionId: result.interactionId,
      outcome: result.outcome,
      reason,
    });
    const shop = deps.shop.shop.name;
    return pageResult(200, messagePage(t, { title: t.t('survey.thanks.title'), paragraphs: [t.t('survey.thanks.body', { shop })] }));
  } catch (error) {
    return errorPageResult(requestTranslator(deps.catalogs, request, fallback), error);
  }
}

/** Who a link is for and what it offers, changing nothing. Forged, foreign or for an unknown survey → 404; expired → 410. */
async function surveyTarget(deps: SurveyRouteDeps, token: string | undefined): Promise<SurveyTarget> {
  if (!token || token.length > 2048) throw new NotFoundError('This survey link is incomplete');
  const check = verifySurveyToken(token, deps.signingKey, deps.now());
  if (!check.ok) {
    if (check.reason === 'expired') throw new LinkExpiredError('This survey link has expired');
    throw new NotFoundError('This survey link is not valid');
  }
  const subject = parseSurveySubject(check.claims.sub);
  const choices = subject ? deps.surveys.get(subject.campaignId) : undefined;
  if (!subject || !choices) throw new NotFoundError('This survey link is not valid');
  const [profile, guard] = await Promise.all([
    deps.table.doc.send(new GetCommand({ TableName: deps.table.name, Key: keys.profile(subject.customerId), ProjectionExpression: 'PK, locale' })),
    deps.table.doc.send(
      new GetCommand({
        TableName: deps.table.name,
        Key: keys.interaction(surveyInteractionId(subject.campaignId, subject.occurrenceId, subject.customerId)),
        ProjectionExpression: 'reason',
      }),
    ),
  ]);
  if (!profile.Item) throw new NotFoundError('This survey link is not valid');
  const answered = typeof guard.Item?.reason === 'string' && choices.includes(guard.Item.reason) ? guard.Item.reason : undefined;
  return { ...subject, choices, locale: typeof profile.Item.locale === 'string' ? nearestSupportedLocale(profile.Item.locale) : undefined, answered };
}

interface FieldErrors {
  reason?: string;
  note?: string;
}

function surveyPage(deps: SurveyRouteDeps, t: Translator, target: SurveyTarget, action: string, values: { reason: string; note: string }, errors: FieldErrors) {
  const shop = deps.shop.shop.name;
  const checked = (choice: string) => (choice === values.reason ? raw(' checked') : '');
  const invalid = (message: string | undefined) => (message ? raw(' aria-invalid="true"') : '');
  return messagePage(t, {
    title: t.t('survey.question'),
    paragraphs: [t.t('survey.page.body', { shop })],
    extra: html`<form method="post" action="${action}">
<fieldset${invalid(errors.reason)} aria-describedby="e-reason"><legend>${t.t('survey.question')}</legend>
<p class="error" id="e-reason">${errors.reason ?? ''}</p>
${target.choices.map((choice) => html`<div class="choice"><input type="radio" id="r-${choice}" name="reason" value="${choice}"${checked(choice)}><label for="r-${choice}" class="choice-label">${t.t(`survey.reason.${choice}`)}</label></div>`)}
</fieldset>
<label for="f-note">${t.t('survey.page.note')}</label>
<textarea id="f-note" name="note" maxlength="${SURVEY_NOTE_MAX}" aria-describedby="e-note"${invalid(errors.note)}>${values.note}</textarea>
<p class="error" id="e-note">${errors.note ?? ''}</p>
<button type="submit">${t.t('survey.page.button')}</button>
</form>`,
  });
}

/** The campaigns that ask a survey question, with their answers (read once at cold start). */
export function surveyChoices(
  campaigns: readonly { id: string; kind: string; survey?: { choices: readonly string[] } | undefined }[],
): ReadonlyMap<string, readonly string[]> {
  return new Map(campaigns.flatMap((campaign) => (campaign.kind === 'triggered' && campaign.survey ? [[campaign.id, campaign.survey.choices] as const] : [])));
}
