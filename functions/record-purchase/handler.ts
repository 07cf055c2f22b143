import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { busFromEnvironment } from '#shared/events/publish-events.ts';
import { httpErrors } from '#shared/http/http-errors-middleware.ts';
import { jsonResponse, type HttpResult } from '#shared/http/http-response.ts';
import { parseJsonBody } from '#shared/http/parse-body.ts';
import { logger } from '#shared/logger.ts';
import { attributionWindows } from '#shared/measurement/attribution-settings.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { PurchaseInput } from '#shared/purchases/purchase-input.ts';
import { recordPurchase } from '#shared/purchases/record-purchase.ts';
import { publicBaseUrl, shopConfig } from '#shared/runtime/environment.ts';
import { getSigningKey } from '#shared/secrets.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const config = shopConfig();
const table = tableFromEnvironment();
const bus = busFromEnvironment();
const attribution = attributionWindows();

/** POST /api/purchases — records an order into the customer's profile and returns the incentive-form link. */
export const handler = middy<APIGatewayProxyEventV2, HttpResult>()
  .use(observed())
  .use(httpErrors())
  .handler(async (event) => {
    const input = parseJsonBody(event, PurchaseInput, config.purchases.maxBodyBytes);
    const result = await recordPurchase(
      { table, bus, config, signingKey: await getSigningKey(), publicBaseUrl: publicBaseUrl(config), now: currentTime, attribution },
      input,
    );
    logger.info('purchase recorded', { orderId: result.orderId, customerId: result.customerId, outcome: result.outcome });
    return jsonResponse(result.outcome === 'created' ? 201 : 200, { orderId: result.orderId, customerId: result.customerId, formUrl: result.formUrl });
  });
