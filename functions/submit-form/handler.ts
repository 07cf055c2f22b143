import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { captureSettings } from '#shared/capture/capture-settings.ts';
import { linkBaseUrl } from '#shared/capture/http-request.ts';
import { handleSubmission } from '#shared/capture/routes/submit-route.ts';
import { loadEmailConfig } from '#shared/email/email-config.ts';
import { createSesClient, sesEmailSender } from '#shared/email/send-email.ts';
import { busFromEnvironment } from '#shared/events/publish-events.ts';
import { httpErrors } from '#shared/http/http-errors-middleware.ts';
import type { HttpResult } from '#shared/http/http-response.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { getSigningKey } from '#shared/secrets.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const settings = captureSettings();
const table = tableFromEnvironment();
const bus = busFromEnvironment();
const email = sesEmailSender(createSesClient(), loadEmailConfig());

/** POST /api/submissions — the incentive form's answers (JSON or form-encoded); starts the double opt-in. */
export const handler = middy<APIGatewayProxyEventV2, HttpResult>()
  .use(observed())
  .use(httpErrors())
  .handler(async (event) =>
    handleSubmission(
      { table, bus, email, settings, signingKey: await getSigningKey(), publicBaseUrl: linkBaseUrl(settings.shop, event), now: currentTime },
      event,
    ),
  );
