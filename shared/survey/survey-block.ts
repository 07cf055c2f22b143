/**
 * The one-click survey under an email's own text: the question and one link per answer. Written here, by trusted
 * code (every value escaped), not in the marketer's template, so no template can break or forge the signed links.
 */
import type { Translator } from '#shared/i18n/catalogs.ts';
import { html } from '#shared/i18n/html.ts';

export interface SurveyLinks {
  choices: readonly string[];
  urlFor: (choice: string) => string;
}

export function surveyBlock(t: Translator, survey: SurveyLinks): { html: string; text: string } {
  const links = survey.choices.map((choice) => ({ label: t.t(`survey.reason.${choice}`), url: survey.urlFor(choice) }));
  return {
    html: html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin-top:24px;border-top:1px solid #e5e1da;"><tr><td style="padding-top:16px;">
<p style="margin:0 0 4px;font-weight:bold;">${t.t('survey.question')}</p>
<p style="margin:0 0 12px;color:#5b6770;">${t.t('survey.intro')}</p>
${links.map((link) => html`<p style="margin:0 0 8px;"><a href="${link.url}" style="color:#1d3b4f;">${link.label}</a></p>\n`)}</td></tr></table>`.toString(),
    text: [t.t('survey.question'), t.t('survey.intro'), '', ...links.map((link) => `${link.label}: ${link.url}`)].join('\n'),
  };
}
