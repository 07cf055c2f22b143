import { html } from '#shared/i18n/html.ts';
import type { Translator } from '#shared/i18n/catalogs.ts';
import type { ConsolePage, ConsoleUser } from '#shared/console/console-layout.ts';

/** Marketers and admins: where the results report lives. */
export function reportsPage(t: Translator, user: ConsoleUser, path: string): ConsolePage {
  return {
    t,
    user,
    path,
    section: 'reports',
    title: t.t('console.reports.title'),
    body: html`<h1>${t.t('console.reports.title')}</h1>
<section class="card"><p>${t.t('console.reports.body')}</p>
<p><a href="/console/reports/results">${t.t('console.reports.open')}</a></p></section>`,
  };
}
