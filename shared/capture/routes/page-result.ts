import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { KinshipError } from '#shared/errors.ts';
import type { HttpResult } from '#shared/http/http-response.ts';
import { translator, type Catalogs, type Translator } from '#shared/i18n/catalogs.ts';
import { resolveLocale } from '#shared/i18n/locale-resolution.ts';
import { nearestSupportedLocale, type Locale } from '#shared/locales.ts';
import type { Table } from '#shared/table/table-client.ts';
import { LinkExpiredError, LinkSupersededError } from '#shared/capture/capture-errors.ts';
import { loadOrder, loadSubmission } from '#shared/capture/order-context.ts';
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

/**
 * The language for an error page about an authentic but expired or replaced link: the customer's (from the
 * submission) or the order's, so a page reached from an Icelandic email answers in Icelandic; else the request's.
 */
export async function linkErrorTranslator(table: Table, catalogs: Catalogs, request: HttpRequest, fallback: Locale, error: unknown): Promise<Translator> {
  const requested = requestTranslator(catalogs, request, fallback);
  const orderId = error instanceof LinkExpiredError || error instanceof LinkSupersededError ? error.orderId : undefined;
  if (orderId === undefined || request.queryStringParameters?.lang) return requested;
  try {
    const submission = await loadSubmission(table, orderId);
    const fromOrder = submission
      ? (submission.answers.preferredLanguage ?? submission.locale)
      : nearestSupportedLocale((await loadOrder(table, orderId)).locale);
    return fromOrder ? translator(catalogs, fromOrder) : requested;
  } catch {
    return requested;
  }
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
