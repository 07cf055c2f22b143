import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { busFromEnvironment } from '#shared/events/publish-events.ts';
import { httpErrors } from '#shared/http/http-errors-middleware.ts';
import { jsonResponse, type HttpResult } from '#shared/http/http-response.ts';
import { parseJsonBody } from '#shared/http/parse-body.ts';
import { logger } from '#shared/logger.ts';
import { loadPrivacyConfig } from '#shared/privacy/privacy-config.ts';
import { eraseRequest, exportRequest, PrivacyRequestSchema } from '#shared/privacy/privacy-request.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { getSigningKey } from '#shared/secrets.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const config = loadPrivacyConfig();
const table = tableFromEnvironment();
const bus = busFromEnvironment();
const MAX_BODY_BYTES = 4096;

/** POST /api/privacy/export and POST /api/privacy/erase (staff): one person's data out, or erased. */
export const handler = middy<APIGatewayProxyEventV2, HttpResult>()
  .use(observed())
  .use(httpErrors())
  .handler(async (event) => {
    const body = parseJsonBody(event, PrivacyRequestSchema, MAX_BODY_BYTES);
    const signingKey = await getSigningKey();
    if (event.rawPath.endsWith('/erase')) {
      const result = await eraseRequest({ table, bus, config, signingKey, now: currentTime }, body);
      return jsonResponse(200, result);
    }
    const result = await exportRequest({ table, now: currentTime, signingKey }, body);
    logger.info('privacy export', { customerId: result.export.customerId, kinds: result.export.kinds.length });
    if (body.format === 'html')
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
        body: result.html,
      };
    return jsonResponse(200, result.export);
  });
