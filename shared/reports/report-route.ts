/**
 * GET /reports (the HTML page) and GET /api/reports/campaigns (the same numbers as JSON), with an optional
 * `?from=YYYY-MM-DD&to=YYYY-MM-DD` period. A bad period is a 400 naming the field, as a page or as JSON.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ValidationError } from '#shared/errors.ts';
import { html } from '#shared/i18n/html.ts';
import { jsonResponse, type HttpResult } from '#shared/http/http-response.ts';
import { logger } from '#shared/logger.ts';
import { createReport } from '#shared/reports/create-report.ts';
import { reportPeriod, ReportPeriodError } from '#shared/reports/report-period.ts';
import type { ReportSettings } from '#shared/reports/report-settings.ts';
import { reportStrings } from '#shared/reports/report-strings.ts';
import { renderReportHtml } from '#shared/reports/render-report.ts';
import type { Table } from '#shared/table/table-client.ts';

export interface ReportRouteDeps {
  table: Table;
  settings: ReportSettings;
  now: () => Date;
}

const htmlHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  // Inline styles and SVG only: nothing to load, nothing to run.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

export async function handleReportRequest(deps: ReportRouteDeps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const wantsJson = event.rawPath.startsWith('/api/');
  const now = deps.now();
  let range;
  try {
    range = reportPeriod(event.queryStringParameters?.from, event.queryStringParameters?.to, now);
  } catch (error) {
    if (!(error instanceof ReportPeriodError)) throw error;
    if (wantsJson) throw new ValidationError('The report period is invalid', [{ field: error.field, message: error.message }]);
    const page = html`<!doctype html><html lang="${reportStrings.lang}" dir="${reportStrings.dir}"><head><meta charset="utf-8"><title>${reportStrings.title}</title></head><body><h1>${reportStrings.title}</h1><p>${error.message}</p></body></html>`;
    return { statusCode: 400, headers: htmlHeaders, body: page.value };
  }
  const started = Date.now();
  const { report, items } = await createReport(deps.table, deps.settings, { range, now });
  logger.info('report built', { items, campaigns: report.campaigns.length, durationMs: Date.now() - started, format: wantsJson ? 'json' : 'html' });
  if (wantsJson) return jsonResponse(200, report);
  return { statusCode: 200, headers: htmlHeaders, body: await renderReportHtml(report) };
}
