import { html } from '#shared/i18n/html.ts';
import type { Translator } from '#shared/i18n/catalogs.ts';
import type { FindResult } from '#shared/console/find-customers.ts';
import type { ConsolePage, ConsoleUser } from '#shared/console/console-layout.ts';
import { ltr, table } from '#shared/console/pages/format.ts';

/** Find: one box for an email, a name, a phone number or an order id. */
export function findPage(t: Translator, user: ConsoleUser, path: string, query: string, result: FindResult | undefined): ConsolePage {
  return {
    t,
    user,
    path,
    section: 'find',
    title: t.t('console.find.title'),
    body: html`<h1>${t.t('console.find.title')}</h1>
<form class="card" method="get" action="/console" role="search">
<div class="row"><div><label for="q">${t.t('console.find.label')}</label>
<input type="search" id="q" name="q" value="${query}" autocomplete="off" autofocus></div>
<div><button type="submit">${t.t('console.find.button')}</button></div></div>
</form>
${
  result
    ? html`<section class="card" aria-labelledby="results"><h2 id="results">${t.t('console.find.results', { count: result.customers.length })}</h2>
${table(
  t,
  t.t('console.find.results', { count: result.customers.length }),
  [t.t('console.customer.name'), t.t('console.customer.email'), t.t('console.customer.orders')],
  result.customers.map(
    (c) =>
      html`<tr><td><a href="/console/customers/${c.customerId}">${c.name ?? c.customerId}</a></td><td>${ltr(c.email ?? '—')}</td><td>${c.orderCount}</td></tr>`,
  ),
)}
${result.truncatedAfter !== undefined ? html`<p class="muted">${t.t('console.find.truncated', { count: result.truncatedAfter })}</p>` : ''}
</section>`
    : ''
}`,
  };
}
