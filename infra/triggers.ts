import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { EventBus, EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  type IScheduleTarget,
  type ScheduleTargetConfig,
} from 'aws-cdk-lib/aws-scheduler';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { validateEventPattern } from '#shared/events/pattern-matcher.ts';
import type { FunctionSpec } from '#shared/topology.ts';
import type { ApiConstruct } from './api-construct.ts';
import type { AppFunction } from './app-function.ts';
import { pascalCase } from './names.ts';
import { acknowledgeIsDeadLetterQueue, deadLetterQueue, type QueuesConstruct } from './queues-construct.ts';

/** Delivery retries for schedules and rules, before the event goes to the function's dead-letter queue. */
const ASYNC_DELIVERY = { retryAttempts: 4, maxEventAge: Duration.hours(2) } as const;
/** Lambda's own retries of a failed asynchronous invocation, before the event goes to the dead-letter queue. */
const ASYNC_INVOKE = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;
/** SQS event sources over 10 messages per batch must wait for a batch to fill; Lambda requires a window. */
const BATCH_WINDOW_ABOVE_TEN = Duration.seconds(1);

export interface TriggerResources {
  api: ApiConstruct;
  bus: EventBus;
  queues: QueuesConstruct;
}

/**
 * Wires every trigger of a function: HTTP routes, Scheduler schedules, bus rules and queues.
 * Schedules and rules invoke asynchronously, so the function gets one dead-letter queue (with an alarm) that
 * collects both events that could not be delivered and invocations that still failed after Lambda's retries.
 */
export function wireTriggers(scope: Construct, fn: AppFunction, spec: FunctionSpec, resources: TriggerResources): void {
  let dlq: Queue | undefined;
  const failures = (): Queue => (dlq ??= asyncDeadLetterQueue(scope, fn, spec));
  let schedulerRole: IRole | undefined;

  for (const trigger of spec.triggers) {
    switch (trigger.kind) {
      case 'http':
        resources.api.addRoute(fn, spec.name, trigger);
        break;
      case 'schedule': {
        schedulerRole ??= invokeOnlyRole(scope, fn, failures());
        new Schedule(scope, `Schedule${pascalCase(trigger.name)}`, {
          description: `Kinship ${spec.name}: ${trigger.name}`,
          schedule: ScheduleExpression.expression(trigger.expression, trigger.timezone ? TimeZone.of(trigger.timezone) : undefined),
          // With `input` the function gets { ...input, scheduledTime } — the same shape the local scheduler delivers.
          target: new InvokeFunctionTarget(
            fn,
            schedulerRole,
            failures(),
            trigger.input ? ScheduleTargetInput.fromObject({ ...trigger.input, scheduledTime: ContextAttribute.scheduledTime }) : undefined,
          ),
        });
        break;
      }
      case 'event': {
        // Refuse at synth what PutRule would refuse at deploy (bad syntax, too-complex wildcards), naming the rule.
        const checked = validateEventPattern(trigger.pattern);
        if (!checked.ok) throw new Error(`Event rule "${trigger.name}" of function "${spec.name}" has a pattern EventBridge would refuse: ${checked.error}`);
        new Rule(scope, `Rule${pascalCase(trigger.name)}`, {
          description: `Kinship ${spec.name}: ${trigger.name}`,
          // SES publishes only to the account's default bus; every other rule is on the Kinship bus.
          eventBus: trigger.bus === 'default' ? EventBus.fromEventBusName(scope, `DefaultBus${pascalCase(trigger.name)}`, 'default') : resources.bus,
          // The topology holds a real EventBridge pattern (`detail-type`, `$or`, prefix matchers ...) — the one the
          // local bus evaluates. The L2 renders keys it has no name for verbatim, so it goes through unchanged.
          eventPattern: { ...trigger.pattern },
          // With `input` an input transformer wraps the event: { ...input, event } — as the local bus delivers it.
          targets: [
            new LambdaFunction(fn, {
              deadLetterQueue: failures(),
              ...ASYNC_DELIVERY,
              ...(trigger.input ? { event: RuleTargetInput.fromObject({ ...trigger.input, event: EventField.fromPath('$') }) } : {}),
            }),
          ],
        });
        break;
      }
      case 'queue': {
        const queue = resources.queues.consumerQueue(trigger.queue, spec);
        fn.addEventSource(
          new SqsEventSource(queue, {
            batchSize: trigger.batchSize,
            maxBatchingWindow: trigger.batchSize > 10 ? BATCH_WINDOW_ABOVE_TEN : undefined,
            // The handler reports which messages failed, so one bad message does not retry the whole batch.
            reportBatchItemFailures: true,
            ...(trigger.maxConcurrency ? { maxConcurrency: trigger.maxConcurrency } : {}),
          }),
        );
        // The consumer paces itself to (configured rate / consumers), so it must know how many there can be.
        if (trigger.maxConcurrency) fn.addEnvironment('QUEUE_CONSUMER_CONCURRENCY', String(trigger.maxConcurrency));
        break;
      }
    }
  }
}

function asyncDeadLetterQueue(scope: Construct, fn: AppFunction, spec: FunctionSpec): Queue {
  const dlq = deadLetterQueue(scope, 'FailedInvocations', `the dead-letter queue of ${spec.name}'s schedules and rules`);
  acknowledgeIsDeadLetterQueue(dlq, `${spec.name}'s schedules, rules and asynchronous invocations`);
  // The on-failure destination records the error with the event, which a plain Lambda DLQ would not.
  fn.configureAsyncInvoke({ onFailure: new SqsDestination(dlq), ...ASYNC_INVOKE });
  return dlq;
}

/** The role EventBridge Scheduler assumes: it may invoke this one function (no versions) and dead-letter to its DLQ. */
function invokeOnlyRole(scope: Construct, fn: AppFunction, dlq: IQueue): IRole {
  const stack = Stack.of(scope);
  const role = new Role(scope, 'SchedulerRole', {
    description: `Kinship: lets EventBridge Scheduler invoke ${fn.spec.name}, nothing else`,
    // Confused-deputy guard: only schedules in this account may assume it.
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  });
  role.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
  role.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [dlq.queueArn] }));
  return role;
}

/**
 * A Scheduler target that uses the given role as is. The stock `LambdaInvoke` target calls `grantInvoke`,
 * which also allows `<function>:*` (every version and alias); a schedule only ever needs the function itself.
 */
class InvokeFunctionTarget implements IScheduleTarget {
  readonly #fn: AppFunction;
  readonly #role: IRole;
  readonly #dlq: IQueue;
  readonly #input: ScheduleTargetInput | undefined;

  constructor(fn: AppFunction, role: IRole, dlq: IQueue, input: ScheduleTargetInput | undefined) {
    this.#fn = fn;
    this.#role = role;
    this.#dlq = dlq;
    this.#input = input;
  }

  bind(): ScheduleTargetConfig {
    return {
      arn: this.#fn.functionArn,
      role: this.#role,
      deadLetterConfig: { arn: this.#dlq.queueArn },
      ...(this.#input ? { input: this.#input } : {}),
      retryPolicy: { maximumRetryAttempts: ASYNC_DELIVERY.retryAttempts, maximumEventAgeInSeconds: ASYNC_DELIVERY.maxEventAge.toSeconds() },
    };
  }
}
