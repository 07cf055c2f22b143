import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';

/** Any error in five minutes: Kinship's handlers map expected failures to responses, so an Error is a bug or an outage. */
export function functionErrorsAlarm(scope: Construct, id: string, fn: IFunction, name: string): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: `Kinship ${name}: the function threw. Check its log group for the error and the request id.`,
    metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/** A message in a dead-letter queue is work that was given up on: alarm on the first one. */
export function deadLetterAlarm(scope: Construct, id: string, dlq: IQueue, what: string): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: `Kinship: ${what} has messages. Inspect them, fix the cause, then redrive them from the SQS console.`,
    metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/** Every alarm under `scope` notifies `topic` (the staff alerts): an alarm nobody hears about is no alarm. */
export function notifyOnAlarms(scope: IConstruct, topic: ITopic): void {
  const action = new SnsAction(topic);
  for (const node of scope.node.findAll()) if (node instanceof Alarm) node.addAlarmAction(action);
}
