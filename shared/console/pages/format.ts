import type { Translator } from '#shared/i18n/catalogs.ts';
import { formatMoney } from '#shared/i18n/format.ts';
import { html, type SafeHtml } from '#shared/i18n/html.ts';

/** Date and time in the reader's language (UTC, as stored), e.g. "3. des. 2026, 17:05". */
export function when(t: Translator, iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(t.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date);
}

export function money(t: Translator, minor: number, currency: string | undefined): string {
  return currency ? formatMoney(minor, currency, t.locale) : String(minor);
}

/** A label from the catalog when there is one (a configured reason, a channel), else the raw id. */
export function label(t: Translator, prefix: string, id: string): string {
  return t.has(`${prefix}.${id}`) ? t.t(`${prefix}.${id}`) : id;
}

/** A table with a caption (screen readers announce it) or, with no rows, a short "none" line. */
export function table(t: Translator, caption: string, headers: string[], rows: SafeHtml[]): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">${t.t('console.none')}</p>`;
  return html`<table><caption class="skip">${caption}</caption><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** An id or address: laid out left to right even inside a Hebrew page. */
export function ltr(text: string): SafeHtml {
  return html`<span class="ltr">${text}</span>`;
}
