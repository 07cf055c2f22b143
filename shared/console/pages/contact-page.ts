import { html, raw, type SafeHtml } from '#shared/i18n/html.ts';
import type { Translator } from '#shared/i18n/catalogs.ts';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES } from '#shared/console/console-config.ts';
import { csrfField, type ConsolePage, type ConsoleUser } from '#shared/console/console-layout.ts';
import { label } from '#shared/console/pages/format.ts';

export type FormValues = Readonly<Record<string, string>>;
export type FormErrors = Readonly<Record<string, string>>;

/** A radio group in a fieldset: one click per choice, arrow keys move within it. */
function radios(
  t: Translator,
  name: string,
  legend: string,
  options: readonly { value: string; text: string }[],
  values: FormValues,
  errors: FormErrors,
): SafeHtml {
  const error = errors[name];
  return html`<fieldset${error ? raw(` aria-invalid="true" aria-describedby="e-${name}"`) : ''}><legend>${legend}</legend>
${error ? html`<p class="error" id="e-${name}">${error}</p>` : ''}
<div class="choices">${options.map((o) => html`<label class="choice" for="f-${name}-${o.value}"><input type="radio" id="f-${name}-${o.value}" name="${name}" value="${o.value}"${values[name] === o.value ? raw(' checked') : ''} required> ${o.text}</label>`)}</div>
</fieldset>`;
}

function textarea(name: string, text: string, values: FormValues, errors: FormErrors): SafeHtml {
  const error = errors[name];
  return html`<label for="f-${name}">${text}</label>${error ? html`<p class="error" id="e-${name}">${error}</p>` : ''}<textarea id="f-${name}" name="${name}" rows="2"${error ? raw(` aria-invalid="true" aria-describedby="e-${name}"`) : ''}>${values[name] ?? ''}</textarea>`;
}

/**
 * Record a contact in under 30 seconds: every choice is one tap (channel, satisfaction, outcome are radio rows),
 * the reason a select; free text optional. A fresh interaction id per form makes a double submit harmless.
 */
export function contactPage(
  t: Translator,
  user: ConsoleUser,
  path: string,
  input: { customerId: string; customerName: string; reasons: readonly string[]; interactionId: string; values: FormValues; errors: FormErrors },
): ConsolePage {
  const { values, errors } = input;
  const errorList = Object.entries(errors);
  return {
    t,
    user,
    path,
    section: 'find',
    title: t.t('console.contact.title'),
    body: html`<h1>${t.t('console.contact.title')}</h1>
<p><a href="/console/customers/${input.customerId}">${input.customerName}</a></p>
${errorList.length > 0 ? html`<div class="summary" role="alert"><h2>${t.t('form.errorSummary')}</h2><ul>${errorList.map(([field, message]) => html`<li><a href="#f-${field}">${message}</a></li>`)}</ul></div>` : ''}
<form class="card" method="post" action="/console/customers/${input.customerId}/contact">
${csrfField(user)}
<input type="hidden" name="interactionId" value="${input.interactionId}">
${radios(
  t,
  'channel',
  t.t('console.contact.channel'),
  CONTACT_CHANNELS.map((c) => ({ value: c, text: label(t, 'console.channel', c) })),
  values,
  errors,
)}
<label for="f-reason">${t.t('console.contact.reason')}</label>
${errors.reason ? html`<p class="error" id="e-reason">${errors.reason}</p>` : ''}
<select id="f-reason" name="reason" required${errors.reason ? raw(' aria-invalid="true" aria-describedby="e-reason"') : ''}>
<option value="">${t.t('form.choose')}</option>
${input.reasons.map((r) => html`<option value="${r}"${values.reason === r ? raw(' selected') : ''}>${label(t, 'console.reason', r)}</option>`)}
</select>
${radios(
  t,
  'satisfied',
  t.t('console.contact.satisfied'),
  [1, 2, 3, 4, 5].map((n) => ({ value: String(n), text: `${n} ${t.t(`console.satisfied.${n}`)}` })),
  values,
  errors,
)}
${textarea('satisfiedWhy', t.t('console.contact.satisfiedWhy'), values, errors)}
${textarea('whatWasDone', t.t('console.contact.whatWasDone'), values, errors)}
${radios(
  t,
  'outcome',
  t.t('console.contact.outcome'),
  CONTACT_OUTCOMES.map((o) => ({ value: o, text: label(t, 'console.outcome', o) })),
  values,
  errors,
)}
${textarea('note', t.t('console.contact.note'), values, errors)}
<p><button type="submit">${t.t('console.contact.save')}</button></p>
</form>`,
  };
}
