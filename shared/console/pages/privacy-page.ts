import { html, raw, type SafeHtml } from '#shared/i18n/html.ts';
import type { Translator } from '#shared/i18n/catalogs.ts';
import { csrfField, type ConsolePage, type ConsoleUser } from '#shared/console/console-layout.ts';
import { label, ltr, table, when } from '#shared/console/pages/format.ts';

export type PrivacyForm = 'export' | 'erase';

export interface PrivacyFormState {
  /** What the admin typed (an address or a customer id), per form. */
  values: Partial<Record<PrivacyForm, string>>;
  /** The form whose field is wrong, and why. */
  error?: { form: PrivacyForm; message: string };
  /** A line above the forms: nothing stored about that person. */
  notFound?: boolean;
}

/** Admin only: export (GDPR Art. 15/20) or erase (Art. 17) one person — the CLI's `privacy export|erase` in the console. */
export function privacyPage(t: Translator, user: ConsoleUser, path: string, state: PrivacyFormState): ConsolePage {
  const field = (form: PrivacyForm) => {
    const error = state.error?.form === form ? state.error.message : undefined;
    const id = `${form}-person`;
    return html`<label for="${id}">${t.t('console.privacy.person')}</label>${error ? html`<p class="error" id="e-${id}">${error}</p>` : ''}
<input type="text" id="${id}" name="person" value="${state.values[form] ?? ''}" autocomplete="off" spellcheck="false" required${error ? raw(` aria-invalid="true" aria-describedby="e-${id}"`) : ''}>`;
  };
  return {
    t,
    user,
    path,
    section: 'admin',
    title: t.t('console.privacy.title'),
    body: html`<h1>${t.t('console.privacy.title')}</h1>
<p>${t.t('console.privacy.intro')}</p>
${state.notFound ? html`<p class="summary" role="alert">${t.t('console.privacy.notFound')}</p>` : ''}
${state.error ? html`<p class="summary" role="alert"><a href="#${state.error.form}-person">${t.t('console.privacy.person')}: ${state.error.message}</a></p>` : ''}
<div class="grid">
<form class="card" method="post" action="/console/privacy/export">${csrfField(user)}
<h2>${t.t('console.privacy.export.title')}</h2>
<p class="muted">${t.t('console.privacy.export.body')}</p>
${field('export')}
<fieldset><legend>${t.t('console.privacy.format')}</legend><div class="choices">
<label class="choice"><input type="radio" name="format" value="json" checked> ${t.t('console.privacy.format.json')}</label>
<label class="choice"><input type="radio" name="format" value="html"> ${t.t('console.privacy.format.html')}</label>
</div></fieldset>
<button type="submit">${t.t('console.privacy.export.button')}</button>
</form>
<form class="card" method="post" action="/console/privacy/plan">${csrfField(user)}
<h2>${t.t('console.privacy.erase.title')}</h2>
<p class="muted">${t.t('console.privacy.erase.body')}</p>
${field('erase')}
<p><button type="submit">${t.t('console.privacy.erase.review')}</button></p>
</form>
</div>`,
  };
}

export interface ErasurePlanView {
  /** What the admin typed: the only personal value the page shows. */
  person: string;
  customerId: string;
  total: number;
  /** Items per kind (an ItemKind, shown in the staff member's language) and action, e.g. order, anonymise-order: 3. */
  rows: { kind: string; action: string; count: number }[];
  nameOnlyMatches: number;
}

/** The confirmation before an erasure: counts per item kind and action, then the one button that erases. */
export function erasurePlanPage(t: Translator, user: ConsoleUser, path: string, plan: ErasurePlanView): ConsolePage {
  const title = t.t('console.privacy.plan.title');
  return {
    t,
    user,
    path,
    section: 'admin',
    title,
    body: html`<h1>${title}</h1>
<section class="card" aria-labelledby="plan"><h2 id="plan">${ltr(plan.person)} · ${ltr(plan.customerId)}</h2>
<p>${t.t('console.privacy.plan.body', { count: plan.total })}</p>
${table(
  t,
  title,
  [t.t('console.privacy.plan.what'), t.t('console.privacy.plan.action'), t.t('console.privacy.plan.items')],
  plan.rows.map(
    (row) =>
      html`<tr><td>${label(t, 'console.privacy.kind', row.kind)}</td><td>${label(t, 'console.privacy.action', row.action)}</td><td>${row.count}</td></tr>`,
  ),
)}
${plan.nameOnlyMatches > 0 ? html`<p class="muted">${t.t('console.privacy.plan.nameOnly', { count: plan.nameOnlyMatches })}</p>` : ''}
<form method="post" action="/console/privacy/erase">${csrfField(user)}<input type="hidden" name="person" value="${plan.person}"><input type="hidden" name="confirm" value="yes">
<div class="row"><div><button type="submit">${t.t('console.privacy.plan.button')}</button></div><div><a href="/console/privacy">${t.t('console.privacy.plan.cancel')}</a></div></div>
</form></section>`,
  };
}

export interface ErasureDoneView {
  customerId: string;
  erasedAt: string | undefined;
  /** Items per action; empty when the address had been erased before. */
  counts: Record<string, number>;
  already: boolean;
}

/** After an erasure (or a repeat of one): what was done and when. */
export function erasureDonePage(t: Translator, user: ConsoleUser, path: string, done: ErasureDoneView): ConsolePage {
  const title = t.t(done.already ? 'console.privacy.already.title' : 'console.privacy.done.title');
  const rows: SafeHtml[] = Object.entries(done.counts).map(
    ([action, count]) => html`<tr><td>${label(t, 'console.privacy.action', action)}</td><td>${count}</td></tr>`,
  );
  return {
    t,
    user,
    path,
    section: 'admin',
    title,
    body: html`<h1>${title}</h1>
<section class="card" aria-labelledby="done"><p class="notice" role="status" id="done">${
      done.already
        ? t.t('console.privacy.already.body', { at: when(t, done.erasedAt) })
        : t.t('console.privacy.done.body', { customerId: done.customerId, at: when(t, done.erasedAt) })
    }</p>
${done.already ? '' : table(t, title, [t.t('console.privacy.plan.action'), t.t('console.privacy.plan.items')], rows)}
<p><a href="/console/privacy">${t.t('console.privacy.title')}</a></p></section>`,
  };
}
