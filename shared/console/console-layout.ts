import type { Translator } from '#shared/i18n/catalogs.ts';
import { html, raw, type SafeHtml } from '#shared/i18n/html.ts';
import { SUPPORTED_LOCALES } from '#shared/locales.ts';
import { languageName } from '#shared/capture/pages/layout.ts';
import { CSRF_FIELD } from '#shared/auth/csrf.ts';
import { mayOpen } from '#shared/auth/staff-roles.ts';

/**
 * The console's frame. Logical CSS properties only, so Hebrew lays out right to left with the same sheet; no
 * script at all (every action is a plain form), visible focus, 44 px targets for a till's touch screen.
 */
const CSS = `
:root{--ink:#1b1f24;--muted:#57606a;--accent:#0b5cad;--accent-ink:#fff;--error:#b3261e;--ok:#116329;--line:#d0d7de;--bg:#f6f8fa;--card:#fff}
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Hebrew",Arial,sans-serif;color:var(--ink);background:var(--bg)}
.skip{position:absolute;inset-inline-start:-10000px}.skip:focus{inset-inline-start:1rem;inset-block-start:1rem;background:var(--card);padding:.5rem;z-index:2}
header{background:var(--card);border-block-end:1px solid var(--line)}
.bar{max-inline-size:72rem;margin-inline:auto;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center}
.brand{font-weight:700;margin-inline-end:auto}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0}
nav a{display:inline-block;padding-block:.6rem}
nav a[aria-current]{font-weight:700;color:var(--ink)}
.who{color:var(--muted);font-size:.9rem}
.lang{display:flex;flex-wrap:wrap;gap:.25rem .75rem;font-size:.9rem}
.lang a[aria-current]{font-weight:700;text-decoration:none;color:var(--ink)}
main{max-inline-size:72rem;margin-inline:auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin-block:.5rem 1rem}
h2{font-size:1.15rem;margin-block:0 .5rem}
a{color:var(--accent)}
.card{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1rem;margin-block-end:1rem;overflow-x:auto}
.grid{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr))}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dt{color:var(--muted)}dd{margin:0}
table{border-collapse:collapse;inline-size:100%;font-size:.95rem}
th,td{text-align:start;padding:.4rem .5rem;border-block-end:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600}
.muted{color:var(--muted)}
.ltr{direction:ltr;unicode-bidi:isolate}
label,.label{display:block;font-weight:600;margin-block:.75rem .25rem}
fieldset{border:1px solid var(--line);border-radius:.5rem;padding:.5rem 1rem 1rem;margin:0 0 1rem;min-inline-size:0}
legend{font-weight:700;padding-inline:.25rem}
.choices{display:flex;flex-wrap:wrap;gap:.5rem}
.choice{display:flex;gap:.4rem;align-items:center;border:1px solid var(--line);border-radius:.5rem;padding:.5rem .75rem;min-block-size:2.75rem;font-weight:400;margin:0}
input[type=text],input[type=search],select,textarea{display:block;inline-size:100%;min-block-size:2.75rem;padding:.55rem .7rem;font:inherit;color:inherit;background:#fff;border:1px solid #6e7781;border-radius:.4rem}
textarea{min-block-size:4.5rem;resize:vertical}
input[type=checkbox],input[type=radio]{inline-size:1.25rem;block-size:1.25rem;margin:0;accent-color:var(--accent)}
button,.button{display:inline-block;font:inherit;font-weight:700;min-block-size:2.75rem;padding:.6rem 1.1rem;border:0;border-radius:.5rem;background:var(--accent);color:var(--accent-ink);cursor:pointer;text-decoration:none}
button.secondary{background:transparent;color:var(--accent);border:1px solid var(--accent)}
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.row{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end}
.row>div{flex:1 1 12rem}
.error{color:var(--error);font-weight:600;margin-block:.25rem 0}
.summary{border:2px solid var(--error);background:#fff5f4;border-radius:.5rem;padding:.75rem 1rem;margin-block-end:1rem}
.notice{border:2px solid var(--ok);border-radius:.5rem;padding:.75rem 1rem;margin-block-end:1rem;background:var(--card)}
[aria-invalid=true]{border-color:var(--error)}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;border:1px solid var(--line);font-size:.85rem}
form.inline{display:inline}
@media (prefers-color-scheme:dark){:root{--ink:#e6edf3;--muted:#9da7b3;--accent:#58a6ff;--accent-ink:#0d1117;--line:#30363d;--bg:#0d1117;--card:#161b22;--error:#ff7b72;--ok:#3fb950}input[type=text],input[type=search],select,textarea{background:#0d1117}.summary{background:#2d1214}}
`;

export type ConsoleSection = 'find' | 'cases' | 'reports' | 'admin';

export interface ConsoleUser {
  username: string;
  groups: string[];
  csrf: string;
}

export interface ConsolePage {
  t: Translator;
  title: string;
  body: SafeHtml;
  section?: ConsoleSection;
  /** Absent on the pages shown before sign-in. */
  user?: ConsoleUser;
  /** The current path and query, for the language links. */
  path: string;
}

export function csrfField(user: ConsoleUser): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${user.csrf}">`;
}

export function renderConsolePage(page: ConsolePage, nonce: string): string {
  const { t, user } = page;
  const link = (section: ConsoleSection, href: string, label: string) =>
    html`<li><a href="${href}"${page.section === section ? raw(' aria-current="page"') : ''}>${label}</a></li>`;
  return html`<!doctype html>
<html lang="${t.locale}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${page.title} · ${t.t('console.name')}</title>
<style nonce="${nonce}">${raw(CSS)}</style>
</head>
<body>
<a class="skip" href="#main">${t.t('console.skipToContent')}</a>
<header><div class="bar">
<span class="brand">${t.t('console.name')}</span>
${
  user
    ? html`<nav aria-label="${t.t('console.nav.label')}"><ul>
${link('find', '/console', t.t('console.nav.find'))}
${link('cases', '/console/cases', t.t('console.nav.cases'))}
${link('reports', '/console/reports', t.t('console.nav.reports'))}
${mayOpen(user.groups, 'admin') ? link('admin', '/console/admin', t.t('console.nav.admin')) : ''}
</ul></nav>
<span class="who"><span class="ltr">${user.username}</span></span>
<form class="inline" method="post" action="/console/sign-out">${csrfField(user)}<button class="secondary" type="submit">${t.t('console.signOut')}</button></form>`
    : ''
}
<nav class="lang" aria-label="${t.t('page.languageNav')}">${SUPPORTED_LOCALES.map(
    (locale) =>
      html`<a href="${withLang(page.path, locale)}" lang="${locale}" hreflang="${locale}"${locale === t.locale ? raw(' aria-current="true"') : ''}>${languageName(locale)}</a>`,
  )}</nav>
</div></header>
<main id="main">
${page.body}
</main>
</body>
</html>
`.value;
}

/** The same page in another language (the choice is then remembered in a cookie). */
function withLang(path: string, locale: string): string {
  const url = new URL(path, 'http://console.invalid');
  url.searchParams.set('lang', locale);
  return `${url.pathname}${url.search}`;
}
