import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { topology, type Topology } from '#shared/topology.ts';
import {
  aFunctionSpec,
  arnOf,
  childOf,
  extendedTopology,
  functionOf,
  KinshipStack,
  logicalId,
  ref,
  resourcesFor,
  segmentEnteredPattern,
  senderIdentity,
  statementsOfRole,
  synthesize,
  testApp,
  testHandlerEntry,
} from './stack-fixture.ts';

const { stack, template } = synthesize({ topology: extendedTopology, senderIdentity });
const fnArn = (name: string) => arnOf(functionOf(stack, name));
const failuresOf = (feature: string) => childOf(stack, 'Functions', 'Test', feature, 'FailedInvocations');

function dlqAlarm(queue: ReturnType<typeof childOf>) {
  return {
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } }],
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
  };
}

function expectEncryptedTlsOnly(queue: ReturnType<typeof childOf>) {
  expect(Object.keys(template.findResources('AWS::SQS::Queue', { Properties: { SqsManagedSseEnabled: true } }))).toContain(logicalId(queue));
  template.hasResourceProperties('AWS::SQS::QueuePolicy', {
    Queues: [ref(queue)],
    PolicyDocument: {
      Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
    },
  });
}

describe('schedule triggers', () => {
  const scheduler = childOf(stack, 'Functions', 'Test', 'Segmenter', 'SchedulerRole');

  it('become an EventBridge Scheduler schedule that invokes the function, with retries and a DLQ', () => {
    const ofSegmenter = Object.values(template.findResources('AWS::Scheduler::Schedule')).filter((r) =>
      JSON.stringify(r).includes(JSON.stringify(fnArn('segmenter'))),
    );
    expect(ofSegmenter).toHaveLength(1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      ScheduleExpressionTimezone: 'Atlantic/Reykjavik',
      State: 'ENABLED',
      Target: {
        Arn: fnArn('segmenter'),
        RoleArn: arnOf(scheduler),
        DeadLetterConfig: { Arn: arnOf(failuresOf('Segmenter')) },
        RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
      },
    });
  });

  it('run under a role that only Scheduler in this account can assume', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
    });
  });

  it('give that role nothing but invoking this one function (no versions) and dead-lettering to its DLQ', () => {
    const statements = statementsOfRole(template, scheduler);
    expect(statements.flatMap((s) => s.Action).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    expect(resourcesFor(statements, 'lambda:InvokeFunction')).toEqual([fnArn('segmenter')]);
    expect(resourcesFor(statements, 'sqs:SendMessage')).toEqual([arnOf(failuresOf('Segmenter'))]);
  });
});

describe('event triggers', () => {
  it('become a rule on the kinship bus with the topology pattern, verbatim', () => {
    expect(Object.keys(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: segmentEnteredPattern } }))).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: ref(stack.data.bus),
      EventPattern: segmentEnteredPattern,
      State: 'ENABLED',
    });
  });

  it('target the function with a retry policy and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        {
          Id: Match.anyValue(),
          Arn: fnArn('planner'),
          DeadLetterConfig: { Arn: arnOf(failuresOf('Planner')) },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
        },
      ],
    });
  });

  it('let only this rule put undeliverable events into the DLQ, and only over TLS', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(failuresOf('Planner'))],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': arnOf(childOf(stack, 'Functions', 'Test', 'Planner', 'RuleSegmentEntered')) } },
          }),
        ]),
      },
    });
    expectEncryptedTlsOnly(failuresOf('Planner'));
  });
});

describe('asynchronous invocations (schedules and rules)', () => {
  it.each([
    ['segmenter', 'Segmenter'],
    ['planner', 'Planner'],
  ])('of %s end in its DLQ after Lambda retries, with the error', (name, feature) => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(functionOf(stack, name)),
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: arnOf(failuresOf(feature)) } },
    });
  });

  it.each([['Segmenter'], ['Planner']])('alarm on the first message in the DLQ of %s', (feature) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', dlqAlarm(failuresOf(feature)));
  });

  it('are configured only for functions that have schedules or rules', () => {
    const asyncFunctions = extendedTopology.functions.filter((fn) => fn.triggers.some((t) => t.kind === 'schedule' || t.kind === 'event'));
    expect(asyncFunctions.map((fn) => fn.name)).toEqual(expect.arrayContaining(['segmenter', 'planner']));
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', asyncFunctions.length);
  });
});

describe('queue triggers', () => {
  const outbox = stack.queues.queue('outbox', 'test');
  const outboxDlq = childOf(stack, 'Queues', 'OutboxDlq');

  it('read from an encrypted, TLS-only queue that moves a message to its DLQ after maxReceiveCount deliveries', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 180,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: arnOf(outboxDlq), maxReceiveCount: 5 },
    });
    expectEncryptedTlsOnly(outbox);
    expectEncryptedTlsOnly(outboxDlq);
  });

  it('keep dead letters for 14 days and alarm on the first one', () => {
    template.hasResource('AWS::SQS::Queue', { Properties: Match.objectLike({ MessageRetentionPeriod: 14 * 24 * 3600 }) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', dlqAlarm(outboxDlq));
  });

  it('feed the consumer in batches and let it report partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(outbox),
      FunctionName: ref(functionOf(stack, 'sender')),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('let the consumer receive and delete from its queue only', () => {
    const role = functionOf(stack, 'sender').role;
    if (!role) throw new Error('sender has no role');
    expect(resourcesFor(statementsOfRole(template, role), 'sqs:DeleteMessage')).toEqual([arnOf(outbox)]);
  });
});

describe('a topology mistake fails the synth with a message that names it', () => {
  const build = (t: Topology, identity?: string) => () =>
    new KinshipStack(testApp(), 'Kinship', { topology: t, handlerEntry: testHandlerEntry, senderIdentity: identity });
  const consumer = aFunctionSpec({ name: 'sender', timeoutSeconds: 60, triggers: [{ kind: 'queue', queue: 'outbox', batchSize: 10 }] });

  it('a queue that is not declared', () => {
    expect(build({ functions: [consumer], queues: [] })).toThrow(/function sender refers to queue "outbox", which is not in topology.queues/);
  });

  it("a queue whose visibility timeout is shorter than its consumer's timeout", () => {
    expect(build({ functions: [consumer], queues: [{ name: 'outbox', visibilityTimeoutSeconds: 30, maxReceiveCount: 3 }] })).toThrow(
      /queue "outbox" has visibilityTimeoutSeconds 30, shorter than the timeoutSeconds 60 of its consumer sender/,
    );
  });

  it('a function that sends email when no sender identity is configured', () => {
    const sender = aFunctionSpec({ name: 'sender', access: { sendEmail: true } });
    expect(build({ functions: [sender], queues: [] })).toThrow(/function sender sends email, but no sender identity is configured.*kinship:senderIdentity/);
  });

  it('an event rule whose wildcards EventBridge would refuse as too complex', () => {
    const key = ['*/a/*.bif', '*/a/*.tif', '*/a/*.svs', '*/a/*.png'].map((wildcard) => ({ wildcard }));
    const listener = aFunctionSpec({ name: 'listener', triggers: [{ kind: 'event', name: 'files', pattern: { source: ['kinship'], detail: { key } } }] });
    expect(build({ functions: [listener], queues: [] })).toThrow(
      /Event rule "files" of function "listener" has a pattern EventBridge would refuse: Rule is too complex/,
    );
  });

  it('while the real topology synthesizes with one', () => {
    expect(build(topology, senderIdentity)).not.toThrow();
  });
});
