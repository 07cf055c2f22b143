/**
 * The language of an error page about a form or confirmation link, from the order it names: its own module so that
 * the pages that share page-result.ts (unsubscribe, survey) do not load the submission and order schemas at cold start.
 */
import { translator, type Catalogs, type Translator } from '#shared/i18n/catalogs.ts';
import { nearestSupportedLocale, type Locale } from '#shared/locales.ts';
import type { Table } from '#shared/table/table-client.ts';
import { LinkExpiredError, LinkSupersededError } from '#shared/capture/capture-errors.ts';
import type { HttpRequest } from '#shared/capture/http-request.ts';
import { loadOrder, loadSubmission } from '#shared/capture/order-context.ts';
import { requestTranslator } from '#shared/capture/routes/page-result.ts';

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
