import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { KinshipError } from '#shared/errors.ts';
import type { HttpResult } from '#shared/http/http-response.ts';
import { translator, type Catalogs, type Translator } from '#shared/i18n/catalogs.ts';
import { resolveLocale } from '#shared/i18n/locale-resolution.ts';
import type { Locale } from '#shared/locales.ts';
import { logger } from '#shared/logger.ts';
import { requestHeader, type HttpRequest } from '#shared/capture/http-request.ts';
import { htmlResponse, newNonce, renderPage, type Page } from '#shared/capture/pages/layout.ts';
import { errorPage } from '#shared/capture/pages/message-page.ts';

export function pageResult(status: number, page: Page, headers: Record<string, string> = {}): HttpResult {
  const nonce = newNonce();
  return htmlResponse(status, renderPage(page, nonce), nonce, headers);
}

/** The language for a page when nothing better is known (no order yet): `?lang=`, then Accept-Language, then the shop's default. */
export function requestTranslator(catalogs: Catalogs, request: HttpRequest, fallback: Locale): Translator {
  const locale = resolveLocale({ override: request.queryStringParameters?.lang, acceptLanguage: requestHeader(request, 'accept-language'), fallback }).locale;
  return translator(catalogs, locale);
}

/** A typed error as a friendly localized page; anything unexpected is logged (without personal data) and becomes a plain 500 page. */
export function errorPageResult(t: Translator, error: unknown): HttpResult {
  if (!(error instanceof KinshipError))
    logger.error('unhandled error', { error: error instanceof Error ? { name: error.name, message: error.message } : String(error) });
  const { status, page, headers } = errorPage(t, error);
  return pageResult(status, page, headers);
}

/** middy onError for the HTML routes: the last line of defence, so even a failure outside the route logic is a page, not a stack trace. */
export function htmlPageErrors(catalogs: Catalogs, fallback: Locale): MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  return {
    onError: (request) => {
      request.response = errorPageResult(requestTranslator(catalogs, request.event, fallback), request.error);
    },
  };
}
