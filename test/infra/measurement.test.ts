import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SES_DETAIL_TYPES } from '#shared/measurement/ses-event.ts';
import { topology } from '#shared/topology.ts';
import { auditAlarms } from './alarm-audit.ts';
import { arnOf, functionOf, logicalId, ref, resourcesFor, statementsOfRole, synthesize } from './stack-fixture.ts';

const { stack, template } = synthesize({ staffAlertEmail: 'alerts@shop.example' });
const topicRef = ref(stack.measurement.staffAlerts);
const recorder = functionOf(stack, 'record-email-event');

describe('delivery events and alarms (MeasurementConstruct)', () => {
  it('publishes all ten SES event types of the configuration set to the default bus', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: Match.arrayEquals([
          'send',
          'delivery',
          'bounce',
          'complaint',
          'reject',
          'open',
          'click',
          'renderingFailure',
          'deliveryDelay',
          'subscription',
        ]),
        EventBridgeDestination: { EventBusArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':event-bus/default$')])] } },
      },
    });
  });

  it('routes aws.ses events on the default bus (not the Kinship bus) to record-email-event, with a dead-letter queue', () => {
    const rules = template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.ses'] } } });
    const [rule, ...others] = Object.values(rules).map(
      (r) =>
        z
          .object({
            Properties: z.looseObject({
              EventBusName: z.unknown().optional(),
              EventPattern: z.looseObject({ 'detail-type': z.array(z.string()) }),
              Targets: z.array(z.looseObject({ Arn: z.unknown(), DeadLetterConfig: z.unknown().optional() })),
            }),
          })
          .parse(r).Properties,
    );
    expect(others).toEqual([]);
    // No EventBusName (or "default") means the account's default bus.
    expect(rule?.EventBusName ?? 'default').toBe('default');
    expect(rule?.EventPattern['detail-type'].sort()).toEqual(Object.keys(SES_DETAIL_TYPES).sort());
    expect(rule?.Targets).toEqual([expect.objectContaining({ Arn: arnOf(recorder), DeadLetterConfig: expect.anything() })]);
  });

  it('grants record-email-event the table and the Kinship bus, and no email sending', () => {
    const statements = statementsOfRole(template, recorder.role ?? recorder);
    expect(resourcesFor(statements, 'dynamodb:UpdateItem')).toContainEqual(arnOf(stack.data.table));
    expect(resourcesFor(statements, 'events:PutEvents')).toEqual([arnOf(stack.data.bus)]);
    expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith('ses:'))).toEqual([]);
  });

  it('has an encrypted StaffAlerts topic with the staff email subscribed', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { DisplayName: 'Kinship staff alerts', KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'alerts@shop.example', TopicArn: topicRef });
  });

  it('alarms at a 0.1% complaint rate and a 2% bounce rate of the SES account, notifying the staff', () => {
    for (const [metric, threshold] of [
      ['Reputation.ComplaintRate', 0.001],
      ['Reputation.BounceRate', 0.02],
    ] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SES',
        MetricName: metric,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [topicRef],
      });
    }
  });

  it('makes every alarm of the stack (dead-letter queues, function errors) notify the staff', () => {
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(5);
    const withoutAction = alarms
      .filter(
        ([, alarm]) =>
          JSON.stringify(z.object({ Properties: z.looseObject({ AlarmActions: z.unknown().optional() }) }).parse(alarm).Properties.AlarmActions) !==
          JSON.stringify([topicRef]),
      )
      .map(([id]) => id);
    expect(withoutAction).toEqual([]);
    expect(logicalId(stack.measurement.complaintRateAlarm)).toMatch(/ComplaintRateAlarm/);
  });

  it('leaves no alarm unheard: each reaches an SNS topic with an email subscriber, and every function has an Errors alarm', () => {
    const audit = auditAlarms(
      template,
      topology.functions.map((fn) => logicalId(functionOf(stack, fn.name))),
    );
    expect(audit.unheard).toEqual([]);
    expect(audit.unwatchedFunctions).toEqual([]);
    expect(audit.subscribers).toEqual({ [logicalId(stack.measurement.staffAlerts)]: ['alerts@shop.example'] });
  });

  it('warns at synth when no staff alert email is given, since the alarms would then reach nobody', () => {
    const bare = synthesize();
    expect(auditAlarms(bare.template, []).unheard.length).toBeGreaterThan(5);
    expect(Annotations.fromStack(bare.stack).findWarning('*', Match.stringLikeRegexp('No staff alert email is set'))).toHaveLength(1);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('No staff alert email is set'))).toEqual([]);
  });
});
