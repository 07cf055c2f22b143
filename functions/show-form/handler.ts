import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { captureSettings } from '#shared/capture/capture-settings.ts';
import { htmlPageErrors } from '#shared/capture/routes/page-result.ts';
import { handleShowForm } from '#shared/capture/routes/show-form-route.ts';
import type { HttpResult } from '#shared/http/http-response.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { getSigningKey } from '#shared/secrets.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const settings = captureSettings();
const table = tableFromEnvironment();

/** GET /form/{formToken} — the localized incentive form for an order. */
export const handler = middy<APIGatewayProxyEventV2, HttpResult>()
  .use(observed())
  .use(htmlPageErrors(settings.catalogs, settings.shop.shop.defaultLocale))
  .handler(async (event) => handleShowForm({ table, settings, signingKey: await getSigningKey(), now: currentTime }, event));
