import { html, type SafeHtml } from '#shared/i18n/html.ts';
import type { Translator } from '#shared/i18n/catalogs.ts';
import type { ConsolePage, ConsoleUser } from '#shared/console/console-layout.ts';

/** A short page: signed out, forbidden, not found, an error — with a way on. */
export function messagePage(
  t: Translator,
  path: string,
  content: { title: string; text: string; action?: SafeHtml; user?: ConsoleUser | undefined },
): ConsolePage {
  return {
    t,
    path,
    ...(content.user ? { user: content.user } : {}),
    title: content.title,
    body: html`<section class="card"><h1>${content.title}</h1><p>${content.text}</p>${content.action ?? ''}</section>`,
  };
}
