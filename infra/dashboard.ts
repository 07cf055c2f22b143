import { Duration, Stack } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, Metric, TextWidget, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_METRICS_NAMESPACE, EVENT_METRICS, SEND_OUTCOME_METRICS, SEND_REDELIVERIES, SERVICE_NAME } from '#shared/observability/kinship-metrics.ts';
import type { AppFunction } from './app-function.ts';
import { REPUTATION_THRESHOLDS } from './measurement-construct.ts';
import { isDeadLetterQueue } from './queues-construct.ts';

/** The EMF namespace of Kinship's own metrics: context `kinship:metricsNamespace`, default `Kinship`. */
export function metricsNamespace(scope: Construct): string {
  const value: unknown = scope.node.tryGetContext('kinship:metricsNamespace');
  return typeof value === 'string' && value !== '' ? value : DEFAULT_METRICS_NAMESPACE;
}

export interface OperationsDashboardProps {
  functions: readonly AppFunction[];
}

const PERIOD = Duration.minutes(5);
const WIDE = 12;

/**
 * One CloudWatch dashboard, `<stack>-operations`: what the shop's customers did (Kinship's EMF counts), what the
 * sender did with each email, the Lambdas' errors, throttles and duration, every dead-letter queue's depth and the
 * SES account's bounce and complaint rates. Built last in the stack: it charts every dead-letter queue made before it.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const namespace = metricsNamespace(this);
    // Powertools Metrics puts every value under the `service` dimension.
    const count = (metricName: string, label?: string): Metric =>
      new Metric({ namespace, metricName, dimensionsMap: { service: SERVICE_NAME }, statistic: 'Sum', period: PERIOD, ...(label ? { label } : {}) });
    const deadLetterQueues = stack.node.findAll().filter((c): c is Queue => c instanceof Queue && isDeadLetterQueue(c));
    const perFunction = (metric: (fn: AppFunction) => IMetric): IMetric[] => props.functions.map(metric);

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${stack.stackName}-operations`, defaultInterval: Duration.days(1) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Kinship\nCounts from the \`${namespace}\` namespace (EMF, 5-minute sums). Follow one purchase: send \`x-correlation-id\` with it and search the log groups for \`correlation_id\` (README, Observability).`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Customers: purchases, form, confirmations, incentives',
        width: WIDE,
        left: [
          count(EVENT_METRICS.purchases, 'purchases'),
          count(EVENT_METRICS.submissions, 'form submissions'),
          count(EVENT_METRICS.confirmations, 'confirmations'),
          count(EVENT_METRICS.incentives, 'incentives issued'),
          count(EVENT_METRICS.unsubscribes, 'unsubscribes'),
        ],
      }),
      new GraphWidget({
        title: 'Segments: entries and exits',
        width: WIDE,
        left: [count(EVENT_METRICS.segmentEntries, 'entered'), count(EVENT_METRICS.segmentExits, 'exited')],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Emails by outcome (sender)',
        width: WIDE,
        left: SEND_OUTCOME_METRICS.map((name) => count(name)),
        right: [count(SEND_REDELIVERIES, 'queue redeliveries')],
      }),
      new GraphWidget({
        title: 'Emails after sending (SES events)',
        width: WIDE,
        left: [
          count(EVENT_METRICS.emailsDelivered, 'delivered'),
          count(EVENT_METRICS.emailsBounced, 'bounced'),
          count(EVENT_METRICS.emailsComplained, 'complained'),
          count(EVENT_METRICS.conversions, 'conversions'),
        ],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Lambda errors', width: 8, left: perFunction((fn) => fn.metricErrors({ period: PERIOD, label: fn.spec.name })) }),
      new GraphWidget({ title: 'Lambda throttles', width: 8, left: perFunction((fn) => fn.metricThrottles({ period: PERIOD, label: fn.spec.name })) }),
      new GraphWidget({
        title: 'Lambda duration p95 (ms)',
        width: 8,
        left: perFunction((fn) => fn.metricDuration({ period: PERIOD, statistic: 'p95', label: fn.spec.name })),
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queues: messages waiting',
        width: WIDE,
        left: deadLetterQueues.map((dlq) =>
          dlq.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: dlq.node.path.split('/').slice(1).join('/') }),
        ),
      }),
      new GraphWidget({
        title: 'SES reputation (account): bounce and complaint rate',
        width: WIDE,
        left: ['Reputation.BounceRate', 'Reputation.ComplaintRate'].map(
          (metricName) => new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) }),
        ),
        leftAnnotations: [
          { value: REPUTATION_THRESHOLDS.bounceRate, label: 'bounce alarm' },
          { value: REPUTATION_THRESHOLDS.complaintRate, label: 'complaint alarm' },
        ],
      }),
    );
  }
}
