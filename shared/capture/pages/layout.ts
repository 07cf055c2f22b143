import { randomBytes } from 'node:crypto';
import type { Translator } from '#shared/i18n/catalogs.ts';
import { html, raw, type SafeHtml } from '#shared/i18n/html.ts';
import { SUPPORTED_LOCALES } from '#shared/locales.ts';
import type { HttpResult } from '#shared/http/http-response.ts';

/**
 * Mobile-first, logical properties only (margin-inline, padding-block, inset-inline-start, text-align: start), so
 * the same sheet lays out left-to-right and right-to-left (Hebrew) without a single override.
 */
const CSS = `
:root{--ink:#1b1f24;--muted:#57606a;--accent:#0b5cad;--accent-ink:#fff;--error:#b3261e;--line:#d0d7de;--bg:#f6f8fa;--card:#fff}
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Hebrew",Arial,sans-serif;color:var(--ink);background:var(--bg)}
main{max-inline-size:40rem;margin-inline:auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin-block:0 .5rem}
h2{font-size:1.125rem;margin-block:0 .5rem}
p{margin-block:0 .75rem}
a{color:var(--accent)}
.card{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1rem;margin-block-end:1rem}
.lang{display:flex;flex-wrap:wrap;gap:.25rem .75rem;justify-content:flex-end;font-size:.9rem;margin-block-end:.75rem}
.lang a[aria-current]{font-weight:700;text-decoration:none;color:var(--ink)}
fieldset{border:1px solid var(--line);border-radius:.5rem;padding:.5rem 1rem 1rem;margin:0 0 1rem;min-inline-size:0}
fieldset fieldset{border:0;padding:0;margin-block:.75rem 0}
legend{font-weight:700;padding-inline:.25rem}
fieldset fieldset legend{padding-inline:0;font-weight:600}
label,.label{display:block;font-weight:600;margin-block:.75rem .25rem}
.choice{display:flex;gap:.6rem;align-items:flex-start;font-weight:400;margin-block:.5rem}
.choice label,.choice-label{display:inline;margin:0;font-weight:400}
input[type=text],input[type=email],select,textarea{display:block;inline-size:100%;min-block-size:2.75rem;padding:.55rem .7rem;font:inherit;color:inherit;background:#fff;border:1px solid #6e7781;border-radius:.4rem}
textarea{min-block-size:6rem;resize:vertical}
input[type=checkbox],input[type=radio]{inline-size:1.25rem;block-size:1.25rem;margin:.15rem 0 0;flex:none;accent-color:var(--accent)}
.scale{display:grid;grid-template-columns:repeat(5,1fr);gap:.5rem;margin-block-start:.5rem}
.scale .choice{flex-direction:column;align-items:center;text-align:center;margin:0;padding:.5rem .25rem;border:1px solid var(--line);border-radius:.5rem;font-size:.8rem}
.scale .choice strong{font-size:1.1rem}
.hint{color:var(--muted);font-size:.9rem;margin-block:.25rem 0}
.optional{font-weight:400;color:var(--muted);font-size:.875rem}
.error{color:var(--error);font-weight:600;margin-block:.25rem 0}
.error:empty{display:none}
[aria-invalid=true]{border-color:var(--error);outline:1px solid var(--error)}
fieldset[aria-invalid=true]{outline:0;border-color:var(--error)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
button{font:inherit;font-weight:700;min-block-size:2.75rem;padding:.7rem 1.25rem;border:0;border-radius:.5rem;background:var(--accent);color:var(--accent-ink);inline-size:100%;cursor:pointer}
button:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
button[disabled]{opacity:.6}
.summary{border:2px solid var(--error);background:#fff5f4;border-radius:.5rem;padding:.75rem 1rem;margin-block-end:1rem}
.summary ul{margin:0;padding-inline-start:1.25rem}
.reward{font-size:1.1rem;font-weight:700;border-inline-start:4px solid var(--accent);padding-inline-start:.75rem}
.code{font:700 1.35rem/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.08em;padding:.75rem;border:2px dashed var(--accent);border-radius:.5rem;text-align:center;background:#f3f8ff;direction:ltr;unicode-bidi:isolate}
.hp{position:absolute;inset-inline-start:-10000px;inline-size:1px;block-size:1px;overflow:hidden}
.status{min-block-size:1.5rem}
@media (min-width:40rem){main{padding:2rem 1rem}.card{padding:1.5rem}button{inline-size:auto}}
@media (prefers-color-scheme:dark){:root{--ink:#e6edf3;--muted:#9da7b3;--accent:#58a6ff;--accent-ink:#0d1117;--line:#30363d;--bg:#0d1117;--card:#161b22;--error:#ff7b72}input[type=text],input[type=email],select,textarea{background:#0d1117}.code{background:#0d1117}.summary{background:#2d1214}}
`;

export interface Page {
  t: Translator;
  title: string;
  body: SafeHtml;
  /** A small inline script (trusted, written in code). */
  script?: SafeHtml;
  /** Build links for the language switcher; omitted on pages that do not offer one. */
  languageHref?: (locale: string) => string;
}

/** A fresh nonce per response: the CSP allows only the inline style and script that carry it. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function renderPage(page: Page, nonce: string): string {
  const { t } = page;
  return html`<!doctype html>
<html lang="${t.locale}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${page.title}</title>
<style nonce="${nonce}">${raw(CSS)}</style>
</head>
<body>
<main id="main">
${page.languageHref ? languageSwitcher(t, page.languageHref) : ''}
${page.body}
</main>
${page.script ? html`<script nonce="${nonce}">${page.script}</script>` : ''}
</body>
</html>
`.value;
}

function languageSwitcher(t: Translator, href: (locale: string) => string): SafeHtml {
  return html`<nav class="lang" aria-label="${t.t('page.languageNav')}">${SUPPORTED_LOCALES.map(
    (locale) =>
      html`<a href="${href(locale)}" lang="${locale}" hreflang="${locale}"${locale === t.locale ? raw(' aria-current="true"') : ''}>${languageName(locale)}</a>`,
  )}</nav>`;
}

/** A language's name in that language ("Íslenska", "עברית"), from Intl so no catalog entry is needed per pair. */
export function languageName(locale: string): string {
  const name = new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale;
  return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
}

export function htmlResponse(statusCode: number, body: string, nonce: string, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      ...headers,
    },
    body,
  };
}
