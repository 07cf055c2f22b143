import { html, raw } from '#shared/i18n/html.ts';
import type { Translator } from '#shared/i18n/catalogs.ts';
import { CASE_STATUSES, type CaseListEntry } from '#shared/cases/case-record.ts';
import type { ReasonStats } from '#shared/cases/case-actions.ts';
import type { SurveyCounts } from '#shared/interactions/survey-answer.ts';
import type { ConsolePage, ConsoleUser } from '#shared/console/console-layout.ts';
import { label, ltr, table, when } from '#shared/console/pages/format.ts';

export interface CaseFilters {
  status: string;
  reason: string;
  owner: string;
}

/** The case list with filters (status, reason, mine/unassigned) and, per reason, the count and the median time to close. */
export function casesPage(
  t: Translator,
  user: ConsoleUser,
  path: string,
  input: { filters: CaseFilters; reasons: readonly string[]; entries: CaseListEntry[]; stats: ReasonStats[]; surveys?: SurveyCounts[] },
): ConsolePage {
  const { filters } = input;
  const option = (value: string, text: string, current: string) => html`<option value="${value}"${value === current ? raw(' selected') : ''}>${text}</option>`;
  const hours = (h: number | undefined) => (h === undefined ? '—' : new Intl.NumberFormat(t.locale, { maximumFractionDigits: 1 }).format(h));
  return {
    t,
    user,
    path,
    section: 'cases',
    title: t.t('console.cases.title'),
    body: html`<h1>${t.t('console.cases.title')}</h1>
<form class="card" method="get" action="/console/cases"><div class="row">
<div><label for="f-status">${t.t('console.cases.status')}</label><select id="f-status" name="status">${option('', t.t('console.cases.unclosed'), filters.status)}${option('all', t.t('console.cases.all'), filters.status)}${CASE_STATUSES.map((s) => option(s, label(t, 'console.status', s), filters.status))}</select></div>
<div><label for="f-reason">${t.t('console.contact.reason')}</label><select id="f-reason" name="reason">${option('', t.t('console.cases.all'), filters.reason)}${input.reasons.map((r) => option(r, label(t, 'console.reason', r), filters.reason))}</select></div>
<div><label for="f-owner">${t.t('console.cases.owner')}</label><select id="f-owner" name="owner">${option('', t.t('console.cases.anyone'), filters.owner)}${option('me', t.t('console.cases.mine'), filters.owner)}${option('none', t.t('console.cases.nobody'), filters.owner)}</select></div>
<div><button type="submit">${t.t('console.cases.filter')}</button></div>
</div></form>
<section class="card" aria-labelledby="list"><h2 id="list">${t.t('console.cases.count', { count: input.entries.length })}</h2>
${table(
  t,
  t.t('console.cases.title'),
  [t.t('console.cases.opened'), t.t('console.contact.reason'), t.t('console.cases.status'), t.t('console.cases.owner'), t.t('console.cases.escalated')],
  input.entries.map(
    (e) =>
      html`<tr><td><a href="/console/cases/${e.caseId}">${when(t, e.openedAt)}</a></td><td>${label(t, 'console.reason', e.reason)}</td><td>${label(t, 'console.status', e.status)}</td><td>${ltr(e.owner ?? '—')}</td><td>${e.escalations.map((k) => html`<span class="badge">${label(t, 'console.escalation', k)}</span> `)}</td></tr>`,
  ),
)}
</section>
<section class="card" aria-labelledby="by-reason"><h2 id="by-reason">${t.t('console.cases.byReason')}</h2>
${table(
  t,
  t.t('console.cases.byReason'),
  [t.t('console.contact.reason'), t.t('console.cases.total'), t.t('console.cases.stillOpen'), t.t('console.cases.medianHours')],
  input.stats.map(
    (s) => html`<tr><td>${label(t, 'console.reason', s.reason)}</td><td>${s.count}</td><td>${s.open}</td><td>${hours(s.medianHoursToResolve)}</td></tr>`,
  ),
)}
</section>
${(input.surveys ?? []).map(
  (
    survey,
  ) => html`<section class="card" aria-labelledby="survey-${survey.campaignId}"><h2 id="survey-${survey.campaignId}">${t.t('console.cases.surveyTitle')} <span class="ltr">${survey.campaignId}</span></h2>
${table(
  t,
  t.t('console.cases.surveyTitle'),
  [t.t('console.contact.reason'), t.t('console.cases.surveyAnswers')],
  survey.answers.map((a) => html`<tr><td>${label(t, 'survey.reason', a.reason)}</td><td>${a.count}</td></tr>`),
)}
</section>`,
)}`,
  };
}
