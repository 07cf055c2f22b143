import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { readCookies, setCookie } from '#shared/auth/cookies.ts';
import { CSRF_FIELD, csrfToken, csrfTokenValid, sameOrigin } from '#shared/auth/csrf.ts';
import {
  beginSignIn,
  clearSessionCookies,
  completeSignIn,
  currentSession,
  SignInError,
  type SessionDeps,
  type StaffSession,
} from '#shared/auth/staff-session.ts';
import { highestGroup, mayOpen, type StaffGroup } from '#shared/auth/staff-roles.ts';
import { htmlResponse, newNonce } from '#shared/capture/pages/layout.ts';
import { assignCase, closeCase, statsByReason } from '#shared/cases/case-actions.ts';
import { CASE_STATUSES, type CaseStatus } from '#shared/cases/case-record.ts';
import { listCaseEntries, readCase } from '#shared/cases/case-store.ts';
import { FORM_CASE_REASON } from '#shared/cases/form-case.ts';
import type { ConsoleConfig } from '#shared/console/console-config.ts';
import { renderConsolePage, type ConsolePage, type ConsoleUser } from '#shared/console/console-layout.ts';
import { loadCustomerView } from '#shared/console/customer-view.ts';
import { findCustomers } from '#shared/console/find-customers.ts';
import { adminPage } from '#shared/console/pages/admin-page.ts';
import { casePage } from '#shared/console/pages/case-page.ts';
import { casesPage } from '#shared/console/pages/cases-page.ts';
import { contactPage, type FormErrors } from '#shared/console/pages/contact-page.ts';
import { customerPage } from '#shared/console/pages/customer-page.ts';
import { findPage } from '#shared/console/pages/find-page.ts';
import { messagePage } from '#shared/console/pages/message-page.ts';
import { erasureDonePage, erasurePlanPage, privacyPage, type PrivacyForm } from '#shared/console/pages/privacy-page.ts';
import { reportsPage } from '#shared/console/pages/reports-page.ts';
import { handleReportRequest, type ReportRouteDeps } from '#shared/reports/report-route.ts';
import { randomId } from '#shared/auth/pkce.ts';
import { KinshipError, NotFoundError, ValidationError } from '#shared/errors.ts';
import type { EventBus } from '#shared/events/publish-events.ts';
import type { HttpResult } from '#shared/http/http-response.ts';
import { bodyText, fieldIssues, header } from '#shared/http/parse-body.ts';
import { translator, type Catalogs, type Translator } from '#shared/i18n/catalogs.ts';
import { resolveLocale } from '#shared/i18n/locale-resolution.ts';
import { html } from '#shared/i18n/html.ts';
import { interactionInputSchema } from '#shared/interactions/interaction-input.ts';
import { recordInteraction } from '#shared/interactions/record-interaction.ts';
import { surveyCounts } from '#shared/interactions/survey-answer.ts';
import { isSupportedLocale } from '#shared/locales.ts';
import { logger } from '#shared/logger.ts';
import { collectPerson } from '#shared/privacy/collect-person.ts';
import { findErasureRecord, planErasure } from '#shared/privacy/erase-person.ts';
import type { PrivacyConfig } from '#shared/privacy/privacy-config.ts';
import { eraseRequest, exportRequest, personRefFromArgument, personRefOf, PrivacyRequestSchema, type PrivacyRequest } from '#shared/privacy/privacy-request.ts';
import type { Table } from '#shared/table/table-client.ts';

export interface ConsoleDeps {
  table: Table;
  bus: EventBus;
  config: ConsoleConfig;
  catalogs: Catalogs;
  session: SessionDeps;
  /** The results report, shown to marketers and admins under the console's sign-in (GET /console/reports/results). */
  report: Omit<ReportRouteDeps, 'table'>;
  /** Admins export and erase a person here (as the CLI and POST /api/privacy/* do): config/privacy.yaml and the key of the erasure record's hash. */
  privacy: { config: PrivacyConfig; signingKey: string };
}

const LANG_COOKIE = 'kinship_console_lang';
const MAX_FORM_BYTES = 32 * 1024;

interface Request {
  deps: ConsoleDeps;
  event: APIGatewayProxyEventV2;
  method: string;
  path: string;
  /** Path and query, for links back to this page. */
  here: string;
  query: URLSearchParams;
  cookies: Map<string, string>;
  t: Translator;
  /** Set-Cookie values every response of this request carries (language choice, refreshed session). */
  setCookies: string[];
}

/** Every console request: sign-in flow, then the session, the group a page needs, CSRF on posts, then the page. */
export async function handleConsoleRequest(deps: ConsoleDeps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const query = new URLSearchParams(event.rawQueryString);
  const cookies = readCookies(event);
  const setCookies: string[] = [];
  const lang = query.get('lang') ?? undefined;
  if (lang && isSupportedLocale(lang)) setCookies.push(setCookie(LANG_COOKIE, lang, { secure: deps.session.secureCookies, maxAge: 365 * 86_400 }));
  const locale = resolveLocale({ override: lang ?? cookies.get(LANG_COOKIE), acceptLanguage: header(event, 'accept-language'), fallback: 'en' }).locale;
  const path = event.rawPath.replace(/\/+$/, '') || '/console';
  const request: Request = {
    deps,
    event,
    method: event.requestContext.http.method,
    path,
    here: `${path}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`,
    query,
    cookies,
    t: translator(deps.catalogs, locale),
    setCookies,
  };
  try {
    return await route(request);
  } catch (error) {
    return errorPage(request, error);
  }
}

async function route(r: Request): Promise<HttpResult> {
  const { deps, t } = r;
  if (r.method === 'GET' && r.path === '/console/sign-in') {
    const start = beginSignIn(deps.session, r.query.get('returnTo') ?? '/console');
    return redirect(r, 302, start.location, [start.setCookie]);
  }
  if (r.method === 'GET' && r.path === '/console/callback') {
    const done = await completeSignIn(deps.session, { code: r.query.get('code') ?? undefined, state: r.query.get('state') ?? undefined }, r.cookies);
    logger.info('staff signed in', { group: highestGroup(done.identity.groups) ?? 'none' });
    return redirect(r, 303, done.returnTo, done.setCookies);
  }
  if (r.method === 'GET' && r.path === '/console/signed-out') {
    return page(
      r,
      200,
      messagePage(t, r.here, {
        title: t.t('console.signedOut.title'),
        text: t.t('console.signedOut.body'),
        action: html`<p><a class="button" href="/console/sign-in">${t.t('console.signIn')}</a></p>`,
      }),
    );
  }

  const check = await currentSession(deps.session, r.cookies);
  r.setCookies.push(...check.setCookies);
  if (check.kind === 'signed-out') {
    if (r.method === 'GET') return redirect(r, 302, `/console/sign-in?returnTo=${encodeURIComponent(r.here)}`);
    return page(
      r,
      401,
      messagePage(t, r.here, {
        title: t.t('console.signInNeeded.title'),
        text: t.t('console.signInNeeded.body'),
        action: html`<p><a class="button" href="/console/sign-in">${t.t('console.signIn')}</a></p>`,
      }),
    );
  }
  const session = check.session;
  const user: ConsoleUser = {
    username: session.identity.username,
    groups: session.identity.groups,
    csrf: csrfToken(deps.session.signingKey, session.sessionId),
  };
  if (!mayOpen(user.groups, 'staff')) return forbidden(r, user);

  let form: URLSearchParams | undefined;
  if (r.method === 'POST') {
    form = new URLSearchParams(bodyText(r.event, MAX_FORM_BYTES));
    const token = form.get(CSRF_FIELD) ?? undefined;
    if (!sameOrigin(header(r.event, 'origin'), deps.session.publicBaseUrl) || !csrfTokenValid(deps.session.signingKey, session.sessionId, token)) {
      logger.warn('console post refused: CSRF check failed', { routeKey: r.event.routeKey });
      return page(r, 403, messagePage(t, r.here, { user, title: t.t('console.csrf.title'), text: t.t('console.csrf.body') }));
    }
    if (r.path === '/console/sign-out') return redirect(r, 303, '/console/signed-out', clearSessionCookies(deps.session));
  }

  const need = (group: StaffGroup) => mayOpen(user.groups, group);
  const parts = r.path.split('/').slice(2);
  const [first, id, action, extra] = parts;
  if (extra !== undefined) throw new NotFoundError('No such console page');

  if (r.method === 'GET') {
    if (first === undefined) {
      const q = r.query.get('q') ?? '';
      return page(r, 200, findPage(t, user, r.here, q, q.trim() ? await findCustomers(deps.table, q, deps.session.signingKey) : undefined));
    }
    if (first === 'customers' && id && action === undefined) return customer(r, user, id);
    if (first === 'customers' && id && action === 'contact') return contactForm(r, user, id, {}, {});
    if (first === 'cases' && id === undefined) return cases(r, user, session);
    if (first === 'cases' && id && action === undefined)
      return page(r, 200, casePage(t, user, r.here, { record: await readCase(deps.table, id), notice: noticeOf(r), values: {}, errors: {} }));
    if (first === 'reports' && id === undefined) return need('marketer') ? page(r, 200, reportsPage(t, user, r.here)) : forbidden(r, user);
    if (first === 'reports' && id === 'results' && action === undefined)
      return need('marketer') ? handleReportRequest({ table: deps.table, ...deps.report }, r.event) : forbidden(r, user);
    if (first === 'admin' && id === undefined) return need('admin') ? page(r, 200, adminPage(t, user, r.here, deps.config)) : forbidden(r, user);
    if (first === 'privacy' && id === undefined)
      return need('admin')
        ? page(r, 200, privacyPage(t, user, r.here, { values: { export: r.query.get('customerId') ?? '', erase: r.query.get('customerId') ?? '' } }))
        : forbidden(r, user);
  }
  if (r.method === 'POST' && form) {
    if (first === 'customers' && id && action === 'contact') return saveContact(r, user, id, form);
    if (first === 'cases' && id && action === 'assign') return saveAssignment(r, user, id, form);
    if (first === 'cases' && id && action === 'close') return saveClosing(r, user, id, form);
    if (first === 'privacy' && action === undefined && (id === 'export' || id === 'plan' || id === 'erase'))
      return need('admin') ? privacyAction(r, user, session, id, form) : forbidden(r, user);
  }
  throw new NotFoundError('No such console page');
}

function noticeOf(r: Request): string | undefined {
  const saved = r.query.get('saved');
  return saved && r.t.has(`console.saved.${saved}`) ? r.t.t(`console.saved.${saved}`) : undefined;
}

async function customer(r: Request, user: ConsoleUser, customerId: string): Promise<HttpResult> {
  const view = await loadCustomerView(r.deps.table, customerId);
  if (!view) throw new NotFoundError('No such customer');
  return page(r, 200, customerPage(r.t, user, r.here, view, noticeOf(r)));
}

async function contactForm(
  r: Request,
  user: ConsoleUser,
  customerId: string,
  values: Record<string, string>,
  errors: FormErrors,
  status = 200,
): Promise<HttpResult> {
  const view = await loadCustomerView(r.deps.table, customerId);
  if (!view) throw new NotFoundError('No such customer');
  const interactionId = values.interactionId ?? `con_${randomId(12)}`;
  return page(
    r,
    status,
    contactPage(r.t, user, r.here, {
      customerId,
      customerName: view.profile.customerName ?? customerId,
      reasons: r.deps.config.contacts.reasons,
      interactionId,
      values,
      errors,
    }),
  );
}

/** Field ids of the form whose messages the catalog words for people (the API answers in English). */
const FIELD_MESSAGES: Readonly<Record<string, string>> = {
  channel: 'console.error.choose',
  reason: 'console.error.choose',
  satisfied: 'console.error.choose',
  outcome: 'console.error.choose',
  owner: 'console.error.required',
  whatWentWrong: 'console.error.required',
  howHandled: 'console.error.required',
  resolved: 'console.error.choose',
};

function formErrors(t: Translator, issues: readonly { field: string; message: string }[]): FormErrors {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const key = FIELD_MESSAGES[issue.field];
    out[issue.field] ??= key ? t.t(key) : t.t('console.error.invalid');
  }
  return out;
}

async function saveContact(r: Request, user: ConsoleUser, customerId: string, form: URLSearchParams): Promise<HttpResult> {
  const values = Object.fromEntries([...form].filter(([name]) => name !== CSRF_FIELD));
  const optional = (name: string) => (values[name]?.trim() ? values[name] : undefined);
  const parsed = interactionInputSchema(r.deps.config.contacts.reasons).safeParse({
    interactionId: values.interactionId ?? '',
    customerId,
    channel: values.channel,
    reason: values.reason,
    satisfied: values.satisfied,
    satisfiedWhy: optional('satisfiedWhy'),
    whatWasDone: optional('whatWasDone'),
    outcome: values.outcome,
    note: optional('note'),
    staffId: user.username,
  });
  if (!parsed.success) return contactForm(r, user, customerId, values, formErrors(r.t, fieldIssues(parsed.error)), 400);
  const result = await recordInteraction(
    {
      table: r.deps.table,
      bus: r.deps.bus,
      now: r.deps.session.now,
      openCaseAtOrBelow: r.deps.config.cases.openAtOrBelow,
      signingKey: r.deps.session.signingKey,
    },
    parsed.data,
  );
  return redirect(r, 303, result.caseId ? `/console/cases/${result.caseId}?saved=caseOpened` : `/console/customers/${customerId}?saved=contact`);
}

async function cases(r: Request, user: ConsoleUser, session: StaffSession): Promise<HttpResult> {
  const filters = { status: r.query.get('status') ?? '', reason: r.query.get('reason') ?? '', owner: r.query.get('owner') ?? '' };
  const statuses: readonly CaseStatus[] =
    filters.status === 'all' ? CASE_STATUSES : CASE_STATUSES.filter((s) => (filters.status === '' ? s !== 'closed' : s === filters.status));
  const all = await listCaseEntries(r.deps.table, CASE_STATUSES);
  const entries = all
    .filter((e) => statuses.includes(e.status))
    .filter((e) => filters.reason === '' || e.reason === filters.reason)
    .filter((e) => (filters.owner === 'me' ? e.owner === session.identity.username : filters.owner === 'none' ? e.owner === undefined : true));
  const surveys = await surveyCounts(r.deps.table);
  return page(
    r,
    200,
    casesPage(r.t, user, r.here, { filters, reasons: [...r.deps.config.contacts.reasons, FORM_CASE_REASON], entries, stats: statsByReason(all), surveys }),
  );
}

async function saveAssignment(r: Request, user: ConsoleUser, caseId: string, form: URLSearchParams): Promise<HttpResult> {
  const owner = form.get('owner')?.trim() ?? '';
  if (owner === '' || owner.length > 200) {
    return page(
      r,
      400,
      casePage(r.t, user, r.here, {
        record: await readCase(r.deps.table, caseId),
        notice: undefined,
        values: { owner },
        errors: { owner: r.t.t('console.error.required') },
      }),
    );
  }
  await assignCase({ table: r.deps.table, bus: r.deps.bus, now: r.deps.session.now }, caseId, owner);
  return redirect(r, 303, `/console/cases/${caseId}?saved=assigned`);
}

async function saveClosing(r: Request, user: ConsoleUser, caseId: string, form: URLSearchParams): Promise<HttpResult> {
  const values = Object.fromEntries([...form].filter(([name]) => name !== CSRF_FIELD));
  const errors: Record<string, string> = {};
  const text = (name: string) => values[name]?.trim().slice(0, 4000) ?? '';
  if (!text('whatWentWrong')) errors.whatWentWrong = r.t.t('console.error.required');
  if (!text('howHandled')) errors.howHandled = r.t.t('console.error.required');
  if (values.resolved !== 'yes' && values.resolved !== 'no') errors.resolved = r.t.t('console.error.choose');
  if (Object.keys(errors).length > 0)
    return page(r, 400, casePage(r.t, user, r.here, { record: await readCase(r.deps.table, caseId), notice: undefined, values, errors }));
  await closeCase({ table: r.deps.table, bus: r.deps.bus, now: r.deps.session.now }, caseId, {
    whatWentWrong: text('whatWentWrong'),
    howHandled: text('howHandled'),
    resolved: values.resolved === 'yes',
    needsPolicyChange: values.needsPolicyChange === 'yes',
    policyNote: text('policyNote') || undefined,
    closedBy: user.username,
  });
  return redirect(r, 303, `/console/cases/${caseId}?saved=closed`);
}

/** The person field of a privacy form: an address (it has an @) or a customer id, checked as the staff API checks it. */
function privacyPerson(r: Request, value: string): { ok: true; body: PrivacyRequest } | { ok: false; message: string } {
  const person = value.trim();
  const parsed = person === '' ? undefined : PrivacyRequestSchema.safeParse(personRefFromArgument(person));
  return parsed?.success ? { ok: true, body: parsed.data } : { ok: false, message: r.t.t('console.privacy.error.person') };
}

/**
 * POST /console/privacy/export (the file), /plan (what an erasure would change) and /erase (does it). Admin only.
 * Audit lines name the admin by their user id (`sub`) and the person by customer id, never by address.
 */
async function privacyAction(
  r: Request,
  user: ConsoleUser,
  session: StaffSession,
  action: 'export' | 'plan' | 'erase',
  form: URLSearchParams,
): Promise<HttpResult> {
  const which: PrivacyForm = action === 'export' ? 'export' : 'erase';
  const typed = form.get('person') ?? '';
  const checked = privacyPerson(r, typed);
  if (!checked.ok) return page(r, 400, privacyPage(r.t, user, r.here, { values: { [which]: typed }, error: { form: which, message: checked.message } }));
  const notFound = () => page(r, 404, privacyPage(r.t, user, r.here, { values: { [which]: typed }, notFound: true }));
  const { table, privacy } = r.deps;
  const now = r.deps.session.now;
  const staffSub = session.identity.sub;

  if (action === 'export') {
    let result: Awaited<ReturnType<typeof exportRequest>>;
    try {
      result = await exportRequest({ table, now, signingKey: privacy.signingKey }, checked.body);
    } catch (error) {
      if (error instanceof NotFoundError) return notFound();
      throw error;
    }
    const asHtml = form.get('format') === 'html';
    logger.info('console privacy export', {
      staffSub,
      customerId: result.export.customerId,
      format: asHtml ? 'html' : 'json',
      kinds: result.export.kinds.length,
    });
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (asHtml) {
      // The CLI's export.html: self-contained, escaped, no scripts; its one inline style is all the policy allows.
      return {
        statusCode: 200,
        headers: {
          ...headers,
          'content-type': 'text/html; charset=utf-8',
          'content-disposition': `inline; filename="privacy-export-${result.export.customerId}.html"`,
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        },
        body: result.html,
      };
    }
    return {
      statusCode: 200,
      headers: {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="privacy-export-${result.export.customerId}.json"`,
      },
      body: `${JSON.stringify(result.export, null, 2)}\n`,
    };
  }

  if (action === 'plan') {
    const person = await collectPerson(table, personRefOf(checked.body), privacy.signingKey);
    if (person.items.length === 0) {
      const earlier = checked.body.email === undefined ? undefined : await findErasureRecord(table, privacy.signingKey, checked.body.email);
      if (!earlier) return notFound();
      return page(r, 200, erasureDonePage(r.t, user, r.here, { customerId: person.terms.customerId, erasedAt: earlier.erasedAt, counts: {}, already: true }));
    }
    const groups = new Map<string, { kind: string; action: string; count: number }>();
    for (const change of planErasure(person, privacy.config)) {
      const key = `${change.kind}\u0000${change.action}`;
      const row = groups.get(key) ?? { kind: change.kind, action: change.action, count: 0 };
      row.count++;
      groups.set(key, row);
    }
    return page(
      r,
      200,
      erasurePlanPage(r.t, user, r.here, {
        person: typed.trim(),
        customerId: person.terms.customerId,
        total: person.items.length,
        rows: [...groups.values()],
        nameOnlyMatches: person.nameOnlyMatches,
      }),
    );
  }

  if (form.get('confirm') !== 'yes')
    return page(
      r,
      400,
      privacyPage(r.t, user, r.here, { values: { erase: typed }, error: { form: 'erase', message: r.t.t('console.privacy.error.confirm') } }),
    );
  let result: Awaited<ReturnType<typeof eraseRequest>>;
  try {
    result = await eraseRequest({ table, bus: r.deps.bus, config: privacy.config, signingKey: privacy.signingKey, now }, { ...checked.body, confirm: true });
  } catch (error) {
    if (error instanceof NotFoundError) return notFound();
    throw error;
  }
  const already = result.outcome === 'nothing-found';
  logger.info('console privacy erase', { staffSub, customerId: result.customerId, outcome: result.outcome, counts: result.counts });
  return page(r, 200, erasureDonePage(r.t, user, r.here, { customerId: result.customerId, erasedAt: result.erasedAt, counts: result.counts, already }));
}

function forbidden(r: Request, user: ConsoleUser): HttpResult {
  return page(r, 403, messagePage(r.t, r.here, { user, title: r.t.t('console.forbidden.title'), text: r.t.t('console.forbidden.body') }));
}

function errorPage(r: Request, error: unknown): HttpResult {
  const { t } = r;
  if (error instanceof SignInError) {
    logger.warn('staff sign-in failed', { reason: error.message });
    return page(
      r,
      400,
      messagePage(t, r.here, {
        title: t.t('console.signInFailed.title'),
        text: t.t('console.signInFailed.body'),
        action: html`<p><a class="button" href="/console/sign-in">${t.t('console.signIn')}</a></p>`,
      }),
    );
  }
  if (error instanceof NotFoundError)
    return page(
      r,
      404,
      messagePage(t, r.here, {
        title: t.t('page.notFound.title'),
        text: t.t('console.notFound.body'),
        action: html`<p><a href="/console">${t.t('console.nav.find')}</a></p>`,
      }),
    );
  if (error instanceof ValidationError || (error instanceof KinshipError && error.status < 500)) {
    return page(r, error instanceof KinshipError ? error.status : 400, messagePage(t, r.here, { title: t.t('page.badRequest.title'), text: error.message }));
  }
  logger.error('console request failed', {
    routeKey: r.event.routeKey,
    error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
  });
  return page(r, 500, messagePage(t, r.here, { title: t.t('page.error.title'), text: t.t('page.error.body') }));
}

function page(r: Request, status: number, content: ConsolePage): HttpResult {
  const nonce = newNonce();
  // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` on the console's own form posts.
  return {
    ...htmlResponse(status, renderConsolePage(content, nonce), nonce, { 'referrer-policy': 'same-origin' }),
    ...(r.setCookies.length > 0 ? { cookies: r.setCookies } : {}),
  };
}

function redirect(r: Request, status: 302 | 303, location: string, cookies: string[] = []): HttpResult {
  const all = [...r.setCookies, ...cookies];
  return { statusCode: status, headers: { location, 'cache-control': 'no-store' }, ...(all.length > 0 ? { cookies: all } : {}), body: '' };
}
