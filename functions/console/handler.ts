import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { handleConsoleRequest } from '#shared/console/console-app.ts';
import { consoleSettings, sessionDeps } from '#shared/console/console-settings.ts';
import { busFromEnvironment } from '#shared/events/publish-events.ts';
import { loadReportSettings } from '#shared/reports/report-settings.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { httpErrors } from '#shared/http/http-errors-middleware.ts';
import type { HttpResult } from '#shared/http/http-response.ts';
import { loadPrivacyConfig } from '#shared/privacy/privacy-config.ts';
import { publicBaseUrl, shopConfig } from '#shared/runtime/environment.ts';
import { getSigningKey } from '#shared/secrets.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const { config, catalogs } = consoleSettings();
const baseUrl = publicBaseUrl(shopConfig());
const table = tableFromEnvironment();
const bus = busFromEnvironment();
const report = { settings: loadReportSettings(), now: currentTime };
const privacyConfig = loadPrivacyConfig();
let session: ReturnType<typeof sessionDeps> | undefined;

/** GET|POST /console/…: the staff console (server-rendered; the session cookie is verified here, see README). */
export const handler = middy<APIGatewayProxyEventV2, HttpResult>()
  .use(observed())
  .use(httpErrors())
  .handler(async (event) => {
    const signingKey = await getSigningKey();
    session ??= sessionDeps(signingKey, baseUrl);
    return handleConsoleRequest({ table, bus, config, catalogs, session, report, privacy: { config: privacyConfig, signingKey } }, event);
  });
