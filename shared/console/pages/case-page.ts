import { html, raw } from '#shared/i18n/html.ts';
import type { Translator } from '#shared/i18n/catalogs.ts';
import type { CaseRecord } from '#shared/cases/case-record.ts';
import { csrfField, type ConsolePage, type ConsoleUser } from '#shared/console/console-layout.ts';
import type { FormErrors, FormValues } from '#shared/console/pages/contact-page.ts';
import { label, ltr, when } from '#shared/console/pages/format.ts';

/** One case: what happened, and the two actions on it — take or assign it, close it with how it was handled. */
export function casePage(
  t: Translator,
  user: ConsoleUser,
  path: string,
  input: { record: CaseRecord; notice: string | undefined; values: FormValues; errors: FormErrors },
): ConsolePage {
  const { record: c, values, errors } = input;
  const err = (name: string) => (errors[name] ? html`<p class="error" id="e-${name}">${errors[name]}</p>` : '');
  const invalid = (name: string) => (errors[name] ? raw(` aria-invalid="true" aria-describedby="e-${name}"`) : '');
  const title = t.t('console.case.title', { reason: label(t, 'console.reason', c.reason) });
  return {
    t,
    user,
    path,
    section: 'cases',
    title,
    body: html`<h1>${title}</h1>
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
<section class="card" aria-labelledby="details"><h2 id="details">${t.t('console.case.details')}</h2><dl>
<dt>${t.t('console.cases.status')}</dt><dd>${label(t, 'console.status', c.status)}${c.escalations.map((k) => html` <span class="badge">${label(t, 'console.escalation', k)}</span>`)}</dd>
<dt>${t.t('console.case.customer')}</dt><dd><a href="/console/customers/${c.customerId}">${ltr(c.customerId)}</a></dd>
<dt>${t.t('console.customer.source')}</dt><dd>${label(t, 'console.source', c.source)} ${ltr(c.sourceRef)}</dd>
<dt>${t.t('console.customer.satisfied')}</dt><dd>${c.satisfied}</dd>
<dt>${t.t('console.cases.opened')}</dt><dd>${when(t, c.openedAt)}</dd>
<dt>${t.t('console.cases.owner')}</dt><dd>${ltr(c.owner ?? '—')}</dd>
${
  c.closedAt
    ? html`<dt>${t.t('console.case.closed')}</dt><dd>${when(t, c.closedAt)} — ${c.resolved ? t.t('console.case.resolvedYes') : t.t('console.case.resolvedNo')}</dd>
<dt>${t.t('console.case.whatWentWrong')}</dt><dd>${c.whatWentWrong ?? ''}</dd>
<dt>${t.t('console.case.howHandled')}</dt><dd>${c.howHandled ?? ''}</dd>
<dt>${t.t('console.case.policyChange')}</dt><dd>${c.needsPolicyChange ? html`${t.t('console.yes')}${c.policyNote ? html` — ${c.policyNote}` : ''}` : t.t('console.no')}</dd>`
    : ''
}
</dl></section>
${
  c.status === 'closed'
    ? ''
    : html`<form class="card" method="post" action="/console/cases/${c.caseId}/assign">${csrfField(user)}
<h2>${t.t('console.case.assign')}</h2>
<label for="f-owner">${t.t('console.cases.owner')}</label>${err('owner')}
<input type="text" id="f-owner" name="owner" value="${values.owner ?? c.owner ?? user.username}" required${invalid('owner')}>
<p><button type="submit">${t.t('console.case.assignButton')}</button></p>
</form>
<form class="card" method="post" action="/console/cases/${c.caseId}/close">${csrfField(user)}
<h2>${t.t('console.case.close')}</h2>
<label for="f-whatWentWrong">${t.t('console.case.whatWentWrong')}</label>${err('whatWentWrong')}
<textarea id="f-whatWentWrong" name="whatWentWrong" rows="2" required${invalid('whatWentWrong')}>${values.whatWentWrong ?? ''}</textarea>
<label for="f-howHandled">${t.t('console.case.howHandled')}</label>${err('howHandled')}
<textarea id="f-howHandled" name="howHandled" rows="2" required${invalid('howHandled')}>${values.howHandled ?? ''}</textarea>
<fieldset${invalid('resolved')}><legend>${t.t('console.case.resolvedQuestion')}</legend>${err('resolved')}
<div class="choices"><label class="choice" for="f-resolved-yes"><input type="radio" id="f-resolved-yes" name="resolved" value="yes"${values.resolved === 'yes' ? raw(' checked') : ''} required> ${t.t('console.case.resolvedYes')}</label>
<label class="choice" for="f-resolved-no"><input type="radio" id="f-resolved-no" name="resolved" value="no"${values.resolved === 'no' ? raw(' checked') : ''} required> ${t.t('console.case.resolvedNo')}</label></div>
</fieldset>
<p class="choice"><input type="checkbox" id="f-needsPolicyChange" name="needsPolicyChange" value="yes"${values.needsPolicyChange === 'yes' ? raw(' checked') : ''}> <label for="f-needsPolicyChange">${t.t('console.case.policyChange')}</label></p>
<label for="f-policyNote">${t.t('console.case.policyNote')}</label>
<textarea id="f-policyNote" name="policyNote" rows="2">${values.policyNote ?? ''}</textarea>
<p><button type="submit">${t.t('console.case.closeButton')}</button></p>
</form>`
}`,
  };
}
