/**
 * GET /confirm?token=… shows a localized page with one Confirm button; POST /confirm?token=… (the button)
 * confirms. Link scanners and mail previews open links without a person: a GET gives no consent and issues
 * nothing — the same pattern as /unsubscribe.
 */
import type { HttpResult } from '#shared/http/http-response.ts';
import { translator } from '#shared/i18n/catalogs.ts';
import { html } from '#shared/i18n/html.ts';
import type { CaptureDeps } from '#shared/capture/capture-deps.ts';
import { confirmEmail, confirmTarget } from '#shared/capture/confirm-email.ts';
import { clientIp, type HttpRequest } from '#shared/capture/http-request.ts';
import { incentiveBlock, messagePage } from '#shared/capture/pages/message-page.ts';
import { hashClientIp } from '#shared/capture/rate-limit.ts';
import { errorPageResult, pageResult, requestTranslator } from '#shared/capture/routes/page-result.ts';
import { linkErrorTranslator } from '#shared/capture/routes/link-error-translator.ts';

export async function handleConfirm(deps: CaptureDeps, request: HttpRequest & { requestContext?: { http?: { method?: string } } }): Promise<HttpResult> {
  const { settings } = deps;
  const token = request.queryStringParameters?.token;
  try {
    if (request.requestContext?.http?.method !== 'POST') return await confirmButtonPage(deps, request, token);
    const result = await confirmEmail(deps, token, { ipHash: hashClientIp(clientIp(request), deps.signingKey) });
    const t = translator(settings.catalogs, result.locale);
    const paragraphs = [t.t('page.confirmed.body')];
    if (result.incentive) paragraphs.push(t.t('page.confirmed.incentive'));
    else if (!result.incentiveWithheld) paragraphs.push(t.t('page.confirmed.pending'));
    return pageResult(
      200,
      messagePage(t, {
        title: t.t('page.confirmed.title'),
        paragraphs,
        ...(result.incentive ? { extra: incentiveBlock(t, result.incentive, result.order) } : {}),
      }),
    );
  } catch (error) {
    return errorPageResult(await linkErrorTranslator(deps.table, settings.catalogs, request, settings.shop.shop.defaultLocale, error), error);
  }
}

/** The page a GET shows: in the customer's language (or `?lang=`), one plain-HTML button posting the same link. */
async function confirmButtonPage(deps: CaptureDeps, request: HttpRequest, token: string | undefined): Promise<HttpResult> {
  const { settings } = deps;
  const target = await confirmTarget(deps, token);
  const t = request.queryStringParameters?.lang ? requestTranslator(settings.catalogs, request, target.locale) : translator(settings.catalogs, target.locale);
  const shop = settings.shop.shop.name;
  const action = `?token=${encodeURIComponent(token ?? '')}`;
  return pageResult(
    200,
    messagePage(t, {
      title: t.t('page.confirm.title', { shop }),
      paragraphs: [t.t('page.confirm.body', { shop })],
      extra: html`<form method="post" action="${action}"><button type="submit">${t.t('page.confirm.button')}</button></form>`,
    }),
  );
}
