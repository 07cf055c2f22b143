import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { consoleConfig } from '#shared/console/console-config.ts';
import { busFromEnvironment } from '#shared/events/publish-events.ts';
import { httpErrors } from '#shared/http/http-errors-middleware.ts';
import { jsonResponse, type HttpResult } from '#shared/http/http-response.ts';
import { parseJsonBody } from '#shared/http/parse-body.ts';
import { interactionInputSchema } from '#shared/interactions/interaction-input.ts';
import { recordInteraction } from '#shared/interactions/record-interaction.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { getSigningKey } from '#shared/secrets.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const config = consoleConfig();
const schema = interactionInputSchema(config.contacts.reasons);
const table = tableFromEnvironment();
const bus = busFromEnvironment();
const MAX_BODY_BYTES = 32 * 1024;

/** POST /api/interactions — a till or helpdesk records a staff contact; idempotent per interactionId. */
export const handler = middy<APIGatewayProxyEventV2, HttpResult>()
  .use(observed())
  .use(httpErrors())
  .handler(async (event) => {
    const input = parseJsonBody(event, schema, MAX_BODY_BYTES);
    const result = await recordInteraction(
      { table, bus, now: currentTime, openCaseAtOrBelow: config.cases.openAtOrBelow, signingKey: await getSigningKey() },
      input,
    );
    return jsonResponse(result.outcome === 'created' ? 201 : 200, {
      interactionId: result.interactionId,
      customerId: result.customerId,
      recordedAt: result.recordedAt,
      ...(result.caseId ? { caseId: result.caseId } : {}),
    });
  });
