import { translator } from '#shared/i18n/catalogs.ts';
import { resolveLocale } from '#shared/i18n/locale-resolution.ts';
import type { HttpResult } from '#shared/http/http-response.ts';
import type { FormPageDeps } from '#shared/capture/capture-deps.ts';
import { UnsupportedLanguageError } from '#shared/capture/capture-errors.ts';
import { chooseIncentive } from '#shared/capture/choose-incentive.ts';
import { describeOffer, offerOfRule } from '#shared/capture/describe-incentive.ts';
import { requestHeader, type HttpRequest } from '#shared/capture/http-request.ts';
import { loadContact, loadFormOrder, loadSubmission, recordFormOpened } from '#shared/capture/order-context.ts';
import { formPage, initialValues } from '#shared/capture/pages/form-page.ts';
import { FORM_TOKEN_PURPOSE, verifyLink } from '#shared/capture/signed-links.ts';
import { errorPageResult, pageResult } from '#shared/capture/routes/page-result.ts';
import { linkErrorTranslator } from '#shared/capture/routes/link-error-translator.ts';

export const SUBMISSIONS_PATH = '/api/submissions';

/** The form token from the route's path parameter (`/form/{formToken}`), or the last path segment. */
export function formTokenOf(request: HttpRequest): string | undefined {
  return request.pathParameters?.formToken ?? request.rawPath?.split('/').pop();
}

/** GET /form/{formToken}: the localized form for the order, pre-filled; a friendly 4xx page for a bad link. */
export async function handleShowForm(deps: FormPageDeps, request: HttpRequest): Promise<HttpResult> {
  const { settings } = deps;
  try {
    const claims = verifyLink(formTokenOf(request), FORM_TOKEN_PURPOSE, deps.signingKey, deps.now());
    const order = await loadFormOrder(deps.table, claims.sub);
    const [contact, submission] = await Promise.all([
      loadContact(deps.table, order.customerId),
      loadSubmission(deps.table, order.orderId),
      // The incentive funnel's "form opened": written once per order, so a reload costs one read, not a write.
      order.formOpenedAt === undefined ? recordFormOpened(deps.table, order.orderId, deps.now()) : false,
    ]);
    const choice = resolveLocale({
      override: request.queryStringParameters?.lang,
      order: submission?.answers.preferredLanguage ?? order.locale,
      acceptLanguage: requestHeader(request, 'accept-language'),
      fallback: settings.shop.shop.defaultLocale,
    });
    const t = translator(settings.catalogs, choice.locale);
    if (choice.unsupportedOverride) return errorPageResult(t, new UnsupportedLanguageError('The requested language is not offered'));
    const offer = describeOffer(t, offerOfRule(chooseIncentive(settings.incentives, order.categoryMinor), order));
    const values = initialValues(order, contact.email, submission);
    return pageResult(
      200,
      formPage({
        t,
        shopName: settings.shop.shop.name,
        token: formTokenOf(request) ?? '',
        order,
        offer,
        values,
        errors: new Map(),
        config: settings.capture,
        action: SUBMISSIONS_PATH,
      }),
    );
  } catch (error) {
    return errorPageResult(await linkErrorTranslator(deps.table, settings.catalogs, request, settings.shop.shop.defaultLocale, error), error);
  }
}
