import middy from '@middy/core';
import { observed, traced } from '#shared/observability/observability.ts';
import { SNSClient } from '@aws-sdk/client-sns';
import { escalateCases } from '#shared/cases/case-actions.ts';
import { emailStaffNotifier, snsStaffNotifier } from '#shared/cases/notify-staff.ts';
import { consoleConfig } from '#shared/console/console-config.ts';
import { loadEmailConfig } from '#shared/email/email-config.ts';
import { createSesClient, sesEmailSender } from '#shared/email/send-email.ts';
import { busFromEnvironment } from '#shared/events/publish-events.ts';
import { logger } from '#shared/logger.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { publicBaseUrl, shopConfig } from '#shared/runtime/environment.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const config = consoleConfig();
const baseUrl = publicBaseUrl(shopConfig());
const table = tableFromEnvironment();
const bus = busFromEnvironment();
// The staff SNS topic in AWS; without one (npm start) the notice is an email into the local inbox.
const topicArn = process.env.STAFF_TOPIC_ARN;
const notifier = topicArn
  ? snsStaffNotifier(traced(new SNSClient({})), topicArn)
  : emailStaffNotifier(sesEmailSender(createSesClient(), loadEmailConfig()), config.staffAlertEmail);

/** Scheduled: escalates cases left unassigned or unresolved past config/console.yaml's hours. */
export const handler = middy()
  .use(observed())
  .handler(async () => {
    const result = await escalateCases(
      { table, bus, now: currentTime, notifier },
      {
        unassignedAfterHours: config.cases.escalateUnassignedAfterHours,
        unresolvedAfterHours: config.cases.escalateUnresolvedAfterHours,
        consoleBaseUrl: baseUrl,
      },
    );
    logger.info('case escalation run', result);
    return result;
  });
