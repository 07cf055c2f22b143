import type { Template } from 'aws-cdk-lib/assertions';
import { z } from 'zod';

/**
 * Which alarms of a synthesized stack would reach nobody: every CloudWatch alarm must have an AlarmActions entry
 * that is an SNS topic of the stack with an email subscription. Also lists the Lambda functions of the topology that
 * have no Errors alarm at all. Used by test/infra/measurement.test.ts and bench/reliability/alarm-actions.ts.
 */
export interface AlarmAudit {
  alarms: number;
  functions: number;
  /** Logical ids of alarms without an action to a topic that has an email subscriber, each with why. */
  unheard: { alarm: string; why: string }[];
  /** Logical ids of Lambda functions that no Errors alarm watches. */
  unwatchedFunctions: string[];
  /** Email subscribers, per topic logical id. */
  subscribers: Record<string, string[]>;
}

const Ref = z.object({ Ref: z.string() });
const Alarm = z.object({
  Properties: z.looseObject({
    AlarmActions: z.array(z.unknown()).optional(),
    MetricName: z.string().optional(),
    Namespace: z.string().optional(),
    Dimensions: z.array(z.object({ Name: z.string(), Value: z.unknown() })).optional(),
  }),
});
const Subscription = z.object({ Properties: z.looseObject({ Protocol: z.string(), Endpoint: z.unknown(), TopicArn: z.unknown() }) });

export function auditAlarms(template: Template, functionLogicalIds: string[]): AlarmAudit {
  const topics = new Set(Object.keys(template.findResources('AWS::SNS::Topic')));
  const subscribers: Record<string, string[]> = {};
  for (const resource of Object.values(template.findResources('AWS::SNS::Subscription'))) {
    const { Protocol, Endpoint, TopicArn } = Subscription.parse(resource).Properties;
    const topic = Ref.safeParse(TopicArn);
    if (Protocol === 'email' && topic.success && typeof Endpoint === 'string') (subscribers[topic.data.Ref] ??= []).push(Endpoint);
  }
  const unheard: AlarmAudit['unheard'] = [];
  const watched = new Set<string>();
  const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'));
  for (const [id, resource] of alarms) {
    const properties = Alarm.parse(resource).Properties;
    if (properties.Namespace === 'AWS/Lambda' && properties.MetricName === 'Errors') {
      for (const dimension of properties.Dimensions ?? []) {
        const fn = Ref.safeParse(dimension.Value);
        if (dimension.Name === 'FunctionName' && fn.success) watched.add(fn.data.Ref);
      }
    }
    const actions = (properties.AlarmActions ?? []).map((action) => Ref.safeParse(action));
    if (actions.length === 0) {
      unheard.push({ alarm: id, why: 'no AlarmActions' });
      continue;
    }
    const heard = actions.some((action) => action.success && topics.has(action.data.Ref) && (subscribers[action.data.Ref]?.length ?? 0) > 0);
    if (!heard)
      unheard.push({ alarm: id, why: `its actions ${JSON.stringify(properties.AlarmActions)} reach no SNS topic of the stack with an email subscription` });
  }
  return {
    alarms: alarms.length,
    functions: functionLogicalIds.length,
    unheard,
    unwatchedFunctions: functionLogicalIds.filter((id) => !watched.has(id)),
    subscribers,
  };
}
