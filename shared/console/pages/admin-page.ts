import { html } from '#shared/i18n/html.ts';
import type { Translator } from '#shared/i18n/catalogs.ts';
import type { ConsoleConfig } from '#shared/console/console-config.ts';
import type { ConsolePage, ConsoleUser } from '#shared/console/console-layout.ts';
import { label } from '#shared/console/pages/format.ts';

/** Admin only: the console's settings as deployed (config/console.yaml) and what each staff group may do. */
export function adminPage(t: Translator, user: ConsoleUser, path: string, config: ConsoleConfig): ConsolePage {
  return {
    t,
    user,
    path,
    section: 'admin',
    title: t.t('console.admin.title'),
    body: html`<h1>${t.t('console.admin.title')}</h1>
<section class="card" aria-labelledby="settings"><h2 id="settings">${t.t('console.admin.settings')}</h2><dl>
<dt>${t.t('console.admin.reasons')}</dt><dd>${config.contacts.reasons.map((r) => label(t, 'console.reason', r)).join(', ')}</dd>
<dt>${t.t('console.admin.openAtOrBelow')}</dt><dd>${config.cases.openAtOrBelow}</dd>
<dt>${t.t('console.admin.unassignedHours')}</dt><dd>${config.cases.escalateUnassignedAfterHours}</dd>
<dt>${t.t('console.admin.unresolvedHours')}</dt><dd>${config.cases.escalateUnresolvedAfterHours}</dd>
</dl></section>
<section class="card" aria-labelledby="privacy"><h2 id="privacy">${t.t('console.admin.privacy')}</h2><p><a href="/console/privacy">${t.t('console.admin.privacyLink')}</a></p></section>
<section class="card" aria-labelledby="groups"><h2 id="groups">${t.t('console.admin.groups')}</h2><dl>
<dt>staff</dt><dd>${t.t('console.admin.group.staff')}</dd>
<dt>marketer</dt><dd>${t.t('console.admin.group.marketer')}</dd>
<dt>admin</dt><dd>${t.t('console.admin.group.admin')}</dd>
</dl></section>`,
  };
}
