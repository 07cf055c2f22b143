/**
 * GET /unsubscribe?token=… shows a localized page with one button; POST /unsubscribe?token=… unsubscribes at once.
 * A mailbox's RFC 8058 one-click request is a POST with the body `List-Unsubscribe=One-Click`; the page's button
 * posts the same URL. A GET never unsubscribes: link scanners and previews open links without a person.
 */
import type { ShopConfig } from '#shared/config/shop-config.ts';
import type { HttpResult } from '#shared/http/http-response.ts';
import { translator, type Catalogs } from '#shared/i18n/catalogs.ts';
import { html } from '#shared/i18n/html.ts';
import type { HttpRequest } from '#shared/capture/http-request.ts';
import { messagePage } from '#shared/capture/pages/message-page.ts';
import { errorPageResult, pageResult, requestTranslator } from '#shared/capture/routes/page-result.ts';
import { unsubscribe, unsubscribeTarget, type UnsubscribeDeps, type UnsubscribeTarget } from '#shared/sending/unsubscribe.ts';

export interface UnsubscribeRouteDeps extends UnsubscribeDeps {
  catalogs: Catalogs;
  shop: ShopConfig;
}

export async function handleUnsubscribe(
  deps: UnsubscribeRouteDeps,
  request: HttpRequest & { requestContext?: { http?: { method?: string } } },
): Promise<HttpResult> {
  const token = request.queryStringParameters?.token;
  const method = request.requestContext?.http?.method ?? 'GET';
  const fallback = deps.shop.shop.defaultLocale;
  try {
    if (method === 'POST') {
      const source = bodyOf(request).includes('List-Unsubscribe=One-Click') ? 'one-click' : 'page';
      return donePage(deps, await unsubscribe(deps, token, source));
    }
    const target = await unsubscribeTarget(deps, token);
    if (target.withdrawn) return donePage(deps, target);
    const t = translator(
      deps.catalogs,
      request.queryStringParameters?.lang ? requestTranslator(deps.catalogs, request, fallback).locale : (target.locale ?? fallback),
    );
    const shop = deps.shop.shop.name;
    const action = `?token=${encodeURIComponent(token ?? '')}`;
    const all = target.scope === 'all';
    return pageResult(
      200,
      messagePage(t, {
        title: t.t(all ? 'page.unsubscribeAll.title' : 'page.unsubscribe.title', { shop }),
        paragraphs: [t.t(all ? 'page.unsubscribeAll.body' : 'page.unsubscribe.body', { shop })],
        extra: html`<form method="post" action="${action}"><input type="hidden" name="source" value="page"><button type="submit">${t.t(all ? 'page.unsubscribeAll.button' : 'page.unsubscribe.button')}</button></form>`,
      }),
    );
  } catch (error) {
    return errorPageResult(requestTranslator(deps.catalogs, request, fallback), error);
  }
}

function donePage(deps: UnsubscribeRouteDeps, target: UnsubscribeTarget): HttpResult {
  const t = translator(deps.catalogs, target.locale ?? deps.shop.shop.defaultLocale);
  const shop = deps.shop.shop.name;
  const all = target.scope === 'all';
  return pageResult(
    200,
    messagePage(t, {
      title: t.t(all ? 'page.unsubscribedAll.title' : 'page.unsubscribed.title'),
      paragraphs: [t.t(all ? 'page.unsubscribedAll.body' : 'page.unsubscribed.body', { shop })],
    }),
  );
}

function bodyOf(request: HttpRequest): string {
  if (!request.body) return '';
  // A one-click body is one short line; never read more than a few KB of whatever else arrives.
  const text = request.isBase64Encoded ? Buffer.from(request.body.slice(0, 8192), 'base64').toString('utf8') : request.body.slice(0, 8192);
  return text;
}
