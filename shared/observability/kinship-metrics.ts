/**
 * The metrics Kinship publishes (EMF, namespace `Kinship` by default, dimension `service`), named once here for the
 * code that counts them (shared/observability/observability.ts) and for the dashboard that charts them
 * (infra/dashboard.ts). Names only: the stack imports this file without loading Powertools.
 */

export const DEFAULT_METRICS_NAMESPACE = 'Kinship';
export const SERVICE_NAME = 'kinship';

/** Domain events are counted as they are published, each under its detail type (shared/events/publish-events.ts). */
export const EVENT_METRICS = {
  purchases: 'PurchaseRecorded',
  submissions: 'FormSubmitted',
  confirmations: 'ConsentGiven',
  incentives: 'IncentiveIssued',
  segmentEntries: 'SegmentEntered',
  segmentExits: 'SegmentExited',
  emailsDelivered: 'EmailDelivered',
  emailsBounced: 'EmailBounced',
  emailsComplained: 'EmailComplained',
  unsubscribes: 'ConsentWithdrawn',
  conversions: 'CampaignConversion',
} as const;

/** What the sender did with each queued email: `sent`, `skipped:<reason>`, `deferred`, `throttled`, `failed`, … → `EmailsSent`, `EmailsSkippedSuppressed`, … */
export function sendOutcomeMetric(outcome: string): string {
  return `Emails${outcome
    .split(/[:-]/)
    .filter((part) => part !== '')
    .map((part) => `${part.charAt(0).toUpperCase()}${part.slice(1)}`)
    .join('')}`;
}

/** The send outcomes the dashboard charts (other skip reasons — duplicate, held-out, exited … — are published too). */
export const SEND_OUTCOME_METRICS = [
  'sent',
  'skipped:suppressed',
  'skipped:unsubscribed',
  'skipped:frequency-cap',
  'skipped:no-consent',
  'deferred',
  'throttled',
  'failed',
  'unknown',
].map(sendOutcomeMetric);

/** Queue messages delivered again (SQS receive count above 1): retries on their way to the dead-letter queue. */
export const SEND_REDELIVERIES = 'SendRedeliveries';
