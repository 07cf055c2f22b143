import { KinshipError, PayloadTooLargeError, UnprocessableError, UnsupportedMediaTypeError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import { errorResponse, jsonResponse, type HttpResult } from '#shared/http/http-response.ts';
import { translator, type Translator } from '#shared/i18n/catalogs.ts';
import type { CaptureDeps } from '#shared/capture/capture-deps.ts';
import { AddressLockedError, OptInLimitError } from '#shared/capture/capture-errors.ts';
import { chooseIncentive } from '#shared/capture/choose-incentive.ts';
import { describeOffer, offerOfRule } from '#shared/capture/describe-incentive.ts';
import { clientIp, type HttpRequest } from '#shared/capture/http-request.ts';
import { withKeptFields } from '#shared/capture/kept-fields.ts';
import { loadContact, loadFormOrder, loadSubmission, type OrderView } from '#shared/capture/order-context.ts';
import { formPage, maskedOnFile, postedValues } from '#shared/capture/pages/form-page.ts';
import { messagePage } from '#shared/capture/pages/message-page.ts';
import { enforceRateLimit, hashClientIp } from '#shared/capture/rate-limit.ts';
import { FORM_TOKEN_PURPOSE, verifyLink } from '#shared/capture/signed-links.ts';
import { issuesAgainstOrder, recordSubmission, type SubmitResult } from '#shared/capture/submit-form.ts';
import { parseSubmissionRequest, type RawFields, type ResponseMode, type SubmissionIssue } from '#shared/capture/submission-schema.ts';
import { errorPageResult, pageResult } from '#shared/capture/routes/page-result.ts';
import { SUBMISSIONS_PATH } from '#shared/capture/routes/show-form-route.ts';

/**
 * POST /api/submissions. Order of checks: rate limit (per hashed client IP) → parse and validate (pure) →
 * honeypot → form token → order → answers against the order → record. Browsers posting the plain form get pages
 * (thank-you, or the form again with inline errors); JSON callers and the page's script get JSON.
 */
export async function handleSubmission(deps: CaptureDeps, request: HttpRequest): Promise<HttpResult> {
  const { settings } = deps;
  const parsed = parseSubmissionRequest(request, { maxBodyBytes: settings.capture.form.maxBodyBytes, defaultLocale: settings.shop.shop.defaultLocale });
  const t = translator(settings.catalogs, parsed.locale);
  const fail = (error: unknown) => (parsed.mode === 'html' ? errorPageResult(t, error) : errorResponse(error));
  try {
    const ipHash = hashClientIp(clientIp(request), deps.signingKey);
    const { rateLimit } = settings.capture.submissions;
    await enforceRateLimit(deps.table, {
      scope: 'submit',
      subject: ipHash,
      limit: rateLimit.requests,
      windowSeconds: rateLimit.windowSeconds,
      now: deps.now(),
    });

    // A bot filled the honeypot: answer exactly like a first success, store nothing.
    if (parsed.kind === 'honeypot') return success(parsed.mode, t, 201, { orderId: '', state: 'awaiting-confirmation' });

    // JSON callers get field errors straight away; a browser's form is shown again, which needs its order.
    if (parsed.kind === 'rejected' && (parsed.mode === 'json' || parsed.status !== 400)) return fail(rejection(t, parsed.status, parsed.issues));
    const tokenField = parsed.fields.token;
    const token = typeof tokenField === 'string' ? tokenField.trim() : '';
    if (token === '') return fail(rejection(t, 400, parsed.kind === 'rejected' ? parsed.issues : [{ field: 'token', key: 'error.required' }]));
    const claims = verifyLink(token, FORM_TOKEN_PURPOSE, deps.signingKey, deps.now());
    const order = await loadFormOrder(deps.table, claims.sub);
    const form = { token, order, fields: parsed.fields };

    const issues = parsed.kind === 'rejected' ? parsed.issues : issuesAgainstOrder(parsed.submission, order, settings.capture.form.interests);
    if (parsed.kind === 'rejected' || issues.length > 0)
      return parsed.mode === 'json' ? fail(rejection(t, 400, issues)) : await formWithErrors(deps, t, issues, form);
    const [previous, contact] = await Promise.all([loadSubmission(deps.table, order.orderId), loadContact(deps.table, order.customerId)]);
    const kept = withKeptFields(parsed.submission, { email: previous?.email ?? contact.email, answers: previous?.answers });
    if ('issues' in kept) return parsed.mode === 'json' ? fail(rejection(t, 400, kept.issues)) : await formWithErrors(deps, t, kept.issues, form);

    try {
      const result = await recordSubmission(deps, order, kept.submission, { locale: parsed.locale, ipHash });
      return success(parsed.mode, t, result.outcome === 'created' ? 201 : 200, result);
    } catch (error) {
      const key = error instanceof AddressLockedError ? 'error.addressLocked' : error instanceof OptInLimitError ? 'error.optInLimit' : undefined;
      if (key === undefined) throw error;
      const refused = [{ field: 'email', key }];
      return parsed.mode === 'json'
        ? fail(new UnprocessableError(t.t('form.errorSummary'), localize(t, refused)))
        : await formWithErrors(deps, t, refused, form);
    }
  } catch (error) {
    return fail(error);
  }
}

function success(mode: ResponseMode, t: Translator, status: 200 | 201, result: Pick<SubmitResult, 'orderId' | 'state'>): HttpResult {
  const confirmed = result.state === 'confirmed';
  const title = t.t(confirmed ? 'page.updated.title' : 'page.thanks.title');
  const message = t.t(confirmed ? 'page.updated.body' : 'page.thanks.body');
  if (mode === 'json') return jsonResponse(status, { orderId: result.orderId, state: result.state, title, message });
  return pageResult(status, messagePage(t, { title, paragraphs: [message, t.t('page.thanks.spam')] }));
}

/** A rejected request as the typed error for its status, with field messages in the reader's language. */
function rejection(t: Translator, status: 400 | 413 | 415, issues: SubmissionIssue[]): KinshipError {
  const localized = localize(t, issues);
  const message = localized.map((issue) => issue.message).join(' ');
  if (status === 413) return new PayloadTooLargeError(message);
  if (status === 415) return new UnsupportedMediaTypeError(message);
  return new ValidationError(t.t('form.errorSummary'), localized);
}

function localize(t: Translator, issues: SubmissionIssue[]): FieldIssue[] {
  return issues.map((issue) => ({ field: issue.field, message: t.t(issue.key, issue.params) }));
}

/** The form again, as posted, with each error next to its field (400); what is on file stays masked and kept. */
async function formWithErrors(
  deps: CaptureDeps,
  t: Translator,
  issues: SubmissionIssue[],
  form: { token: string; order: OrderView; fields: RawFields },
): Promise<HttpResult> {
  const { settings } = deps;
  const [previous, contact] = await Promise.all([loadSubmission(deps.table, form.order.orderId), loadContact(deps.table, form.order.customerId)]);
  const values = { ...postedValues(form.fields), onFile: maskedOnFile(previous?.email ?? contact.email, previous?.answers) };
  const offer = describeOffer(t, offerOfRule(chooseIncentive(settings.incentives, form.order.categoryMinor), form.order));
  const errors = new Map(issues.map((issue) => [issue.field, t.t(issue.key, issue.params)]));
  return pageResult(
    400,
    formPage({
      t,
      shopName: settings.shop.shop.name,
      token: form.token,
      order: form.order,
      offer,
      values,
      errors,
      config: settings.capture,
      action: SUBMISSIONS_PATH,
    }),
  );
}
