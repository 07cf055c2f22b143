import type { HttpResult } from '#shared/http/http-response.ts';
import { translator } from '#shared/i18n/catalogs.ts';
import type { CaptureDeps } from '#shared/capture/capture-deps.ts';
import { confirmEmail } from '#shared/capture/confirm-email.ts';
import { clientIp, type HttpRequest } from '#shared/capture/http-request.ts';
import { incentiveBlock, messagePage } from '#shared/capture/pages/message-page.ts';
import { hashClientIp } from '#shared/capture/rate-limit.ts';
import { errorPageResult, linkErrorTranslator, pageResult } from '#shared/capture/routes/page-result.ts';

/** GET /confirm?token=…: confirms the address and shows the incentive (the same one on every click); a friendly 4xx page for a bad link. */
export async function handleConfirm(deps: CaptureDeps, request: HttpRequest): Promise<HttpResult> {
  const { settings } = deps;
  try {
    const result = await confirmEmail(deps, request.queryStringParameters?.token, { ipHash: hashClientIp(clientIp(request), deps.signingKey) });
    const t = translator(settings.catalogs, result.locale);
    const paragraphs = [t.t('page.confirmed.body')];
    if (result.incentive) paragraphs.push(t.t('page.confirmed.incentive'));
    else paragraphs.push(t.t('page.confirmed.pending'));
    return pageResult(200, messagePage(t, { title: t.t('page.confirmed.title'), paragraphs, ...(result.incentive ? { extra: incentiveBlock(t, result.incentive, result.order) } : {}) }));
  } catch (error) {
    return errorPageResult(await linkErrorTranslator(deps.table, settings.catalogs, request, settings.shop.shop.defaultLocale, error), error);
  }
}
