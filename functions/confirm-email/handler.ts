import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { captureSettings } from '#shared/capture/capture-settings.ts';
import { linkBaseUrl } from '#shared/capture/http-request.ts';
import { handleConfirm } from '#shared/capture/routes/confirm-route.ts';
import { htmlPageErrors } from '#shared/capture/routes/page-result.ts';
import { loadEmailConfig } from '#shared/email/email-config.ts';
import { createSesClient, sesEmailSender } from '#shared/email/send-email.ts';
import { busFromEnvironment } from '#shared/events/publish-events.ts';
import type { HttpResult } from '#shared/http/http-response.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { getSigningKey } from '#shared/secrets.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const settings = captureSettings();
const table = tableFromEnvironment();
const bus = busFromEnvironment();
const email = sesEmailSender(createSesClient(), loadEmailConfig());

/** GET /confirm?token=… — a page with a Confirm button; POST (the button) confirms the address, records consent, issues the incentive exactly once and emails it. */
export const handler = middy<APIGatewayProxyEventV2, HttpResult>()
  .use(observed())
  .use(htmlPageErrors(settings.catalogs, settings.shop.shop.defaultLocale))
  .handler(async (event) =>
    handleConfirm(
      { table, bus, email, settings, signingKey: await getSigningKey(), publicBaseUrl: linkBaseUrl(settings.shop, event), now: currentTime },
      event,
    ),
  );
