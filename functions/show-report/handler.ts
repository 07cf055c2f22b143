import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { httpErrors } from '#shared/http/http-errors-middleware.ts';
import type { HttpResult } from '#shared/http/http-response.ts';
import { handleReportRequest } from '#shared/reports/report-route.ts';
import { loadReportSettings } from '#shared/reports/report-settings.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const table = tableFromEnvironment();
const settings = loadReportSettings();

/** GET /reports (HTML with charts) and GET /api/reports/campaigns (JSON): the results report over one parallel Scan. */
export const handler = middy<APIGatewayProxyEventV2, HttpResult>()
  .use(observed())
  .use(httpErrors())
  .handler(async (event) => handleReportRequest({ table, settings, now: currentTime }, event));
