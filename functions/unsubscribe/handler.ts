import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { htmlPageErrors } from '#shared/capture/routes/page-result.ts';
import { busFromEnvironment } from '#shared/events/publish-events.ts';
import type { HttpResult } from '#shared/http/http-response.ts';
import { loadCatalogs } from '#shared/i18n/catalogs.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { shopConfig } from '#shared/runtime/environment.ts';
import { getSigningKey } from '#shared/secrets.ts';
import { handleUnsubscribe } from '#shared/sending/unsubscribe-route.ts';
import { loadCampaignSurveys } from '#shared/campaigns/survey-config.ts';
import { handleSurvey, surveyChoices } from '#shared/survey/survey-route.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const shop = shopConfig();
const catalogs = loadCatalogs();
const table = tableFromEnvironment();
const bus = busFromEnvironment();
const surveys = surveyChoices(loadCampaignSurveys());

/**
 * /unsubscribe — GET shows the localized unsubscribe page; POST (the page's button or a mailbox's RFC 8058 one-click)
 * unsubscribes at once. /survey — GET shows an email's one-click survey answer; POST records it. Both are public
 * pages reached from links in campaign emails, so they share one function.
 */
export const handler = middy<APIGatewayProxyEventV2, HttpResult>()
  .use(observed())
  .use(htmlPageErrors(catalogs, shop.shop.defaultLocale))
  .handler(async (event) =>
    event.rawPath === '/survey'
      ? handleSurvey({ table, catalogs, shop, surveys, signingKey: await getSigningKey(), now: currentTime }, event)
      : handleUnsubscribe({ table, bus, catalogs, shop, signingKey: await getSigningKey(), now: currentTime }, event),
  );
