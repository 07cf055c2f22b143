import { Annotations, Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { EmailSendingEvent, EventDestination, type ConfigurationSet } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Every SES event type: the configuration set publishes all ten; record-email-event keeps what each means. */
export const ALL_SES_EVENTS = [
  EmailSendingEvent.SEND,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.REJECT,
  EmailSendingEvent.OPEN,
  EmailSendingEvent.CLICK,
  EmailSendingEvent.RENDERING_FAILURE,
  EmailSendingEvent.DELIVERY_DELAY,
  EmailSendingEvent.SUBSCRIPTION,
];

/**
 * The thresholds AWS and the big mailbox providers enforce: SES reviews an account at a 0.1% complaint rate and a 5%
 * bounce rate (pausing at 0.5% / 10%), Gmail and Yahoo want spam reports under 0.1%. Alarming at 0.1% and 2% leaves time to act.
 */
export const REPUTATION_THRESHOLDS = { complaintRate: 0.001, bounceRate: 0.02 } as const;

export const NO_SUBSCRIBER_WARNING =
  'No staff alert email is set, so every alarm notifies a StaffAlerts topic nobody is subscribed to: deploy with -c kinship:staffAlertEmail=you@your-shop.example.';

export interface MeasurementConstructProps {
  /** The configuration set every email goes through (absent until something sends email). */
  configurationSet: ConfigurationSet | undefined;
  /** Who gets staff alerts (alarms, escalations) by email; without it the topic has no subscriber yet. */
  staffAlertEmail: string | undefined;
}

/**
 * The return path in AWS: the configuration set's EventBridge destination (the account's default bus — the only bus
 * SES may target; the rule there to record-email-event comes from the topology), the StaffAlerts topic every alarm
 * notifies, and the account's SES reputation alarms. SES's own open and click tracking (a pixel and rewritten links)
 * is on for every configuration set whose destination takes OPEN and CLICK events.
 */
export class MeasurementConstruct extends Construct {
  readonly staffAlerts: Topic;
  readonly complaintRateAlarm: Alarm;
  readonly bounceRateAlarm: Alarm;

  constructor(scope: Construct, id: string, props: MeasurementConstructProps) {
    super(scope, id);
    // A key of our own: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key.
    const key = new Key(this, 'StaffAlertsKey', { description: 'Kinship: encrypts the StaffAlerts topic', enableKeyRotation: true });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.staffAlerts = new Topic(this, 'StaffAlerts', { displayName: 'Kinship staff alerts', masterKey: key, enforceSSL: true });
    if (props.staffAlertEmail) this.staffAlerts.addSubscription(new EmailSubscription(props.staffAlertEmail));
    // Every alarm notifies this topic; with nobody subscribed an alarm reaches no one, so `cdk synth` says so.
    else Annotations.of(this).addWarningV2('kinship:noStaffAlertSubscriber', NO_SUBSCRIBER_WARNING);

    props.configurationSet?.addEventDestination('EventBridge', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: ALL_SES_EVENTS,
    });

    this.complaintRateAlarm = reputationAlarm(
      this,
      'ComplaintRateAlarm',
      'Reputation.ComplaintRate',
      REPUTATION_THRESHOLDS.complaintRate,
      'complaint rate is at or above 0.1% (Gmail/Yahoo limit; SES reviews the account at 0.1%). Check which campaign and audience cause it in the report.',
    );
    this.bounceRateAlarm = reputationAlarm(
      this,
      'BounceRateAlarm',
      'Reputation.BounceRate',
      REPUTATION_THRESHOLDS.bounceRate,
      'bounce rate is at or above 2% (SES reviews the account at 5%). Check the list source of recent imports and suppressed addresses.',
    );
  }
}

function reputationAlarm(scope: Construct, id: string, metricName: string, threshold: number, why: string): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: `Kinship: the SES account's ${why}`,
    // SES publishes the account's reputation rates (no dimensions) about once an hour.
    metric: new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) }),
    threshold,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
