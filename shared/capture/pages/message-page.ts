import type { Translator } from '#shared/i18n/catalogs.ts';
import { formatDate } from '#shared/i18n/format.ts';
import { html, type SafeHtml } from '#shared/i18n/html.ts';
import { KinshipError, RateLimitedError } from '#shared/errors.ts';
import { LinkExpiredError, LinkSupersededError, UnsupportedLanguageError } from '#shared/capture/capture-errors.ts';
import { codeLabel, describeOffer, offerOfIncentive } from '#shared/capture/describe-incentive.ts';
import type { IssuedIncentive } from '#shared/capture/issue-incentive.ts';
import type { OrderView } from '#shared/capture/order-context.ts';
import type { Page } from '#shared/capture/pages/layout.ts';

/** A simple page: a heading, a few paragraphs, and optionally a block such as the incentive. */
export function messagePage(
  t: Translator,
  content: { title: string; paragraphs: string[]; extra?: SafeHtml; languageHref?: (locale: string) => string },
): Page {
  return {
    t,
    title: content.title,
    body: html`<section class="card">
<h1>${content.title}</h1>
${content.paragraphs.map((p) => html`<p>${p}</p>`)}
${content.extra ?? ''}
</section>`,
    ...(content.languageHref ? { languageHref: content.languageHref } : {}),
  };
}

/** The incentive as shown on the confirm page: what it is, its code and how long it is valid. */
export function incentiveBlock(t: Translator, incentive: IssuedIncentive, order: OrderView | undefined): SafeHtml {
  return html`<p class="reward">${describeOffer(t, offerOfIncentive(incentive, order))}</p>
<p class="label" id="incentive-code-label">${codeLabel(t, incentive.type)}</p>
<p class="code" aria-labelledby="incentive-code-label">${incentive.code}</p>
${incentive.validUntil ? html`<p class="hint">${t.t('incentive.validUntil', { date: formatDate(incentive.validUntil, t.locale) })}</p>` : ''}`;
}

/** A friendly, localized page for an error on a public route: never a stack trace. */
export function errorPage(t: Translator, error: unknown): { status: number; page: Page; headers: Record<string, string> } {
  const page = (key: string, params: Record<string, string | number> = {}) =>
    messagePage(t, { title: t.t(`page.${key}.title`), paragraphs: [t.t(`page.${key}.body`, params)] });
  if (error instanceof LinkExpiredError) return { status: 410, page: page('expired'), headers: {} };
  if (error instanceof LinkSupersededError) return { status: 410, page: page('superseded'), headers: {} };
  if (error instanceof UnsupportedLanguageError)
    return { status: 400, page: { ...page('language'), languageHref: (locale) => `?lang=${encodeURIComponent(locale)}` }, headers: {} };
  if (error instanceof RateLimitedError)
    return { status: 429, page: page('rateLimited', { seconds: error.retryAfterSeconds }), headers: { 'retry-after': String(error.retryAfterSeconds) } };
  if (error instanceof KinshipError && error.status === 404) return { status: 404, page: page('notFound'), headers: {} };
  if (error instanceof KinshipError && error.status < 500) return { status: error.status, page: page('badRequest'), headers: {} };
  return { status: 500, page: page('error'), headers: {} };
}
