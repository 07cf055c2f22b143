import middy from '@middy/core';
import { observed } from '#shared/observability/observability.ts';
import { loadEmailConfig } from '#shared/email/email-config.ts';
import { busFromEnvironment } from '#shared/events/publish-events.ts';
import { recordEmailEvent, type RecordOutcome } from '#shared/measurement/record-email-event.ts';
import { SesEventBridgeEvent } from '#shared/measurement/ses-event.ts';
import { currentTime } from '#shared/runtime/clock.ts';
import { getSigningKey } from '#shared/secrets.ts';
import { tableFromEnvironment } from '#shared/table/table-client.ts';

const { softBounceLimit } = loadEmailConfig();
const table = tableFromEnvironment();
const bus = busFromEnvironment();

/**
 * The default bus's rule for `aws.ses` events (the configuration set's EventBridge destination): records each one.
 * A malformed event or a claim not yet marked sent throws, so Lambda retries it and finally dead-letters it (alarmed).
 */
export const handler = middy<unknown, RecordOutcome>()
  .use(observed())
  .handler(async (event) => {
    const parsed = SesEventBridgeEvent.safeParse(event);
    if (!parsed.success) throw new Error(`SES event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return recordEmailEvent({ table, bus, softBounceLimit, now: currentTime, signingKey: await getSigningKey() }, parsed.data.detail);
  });
