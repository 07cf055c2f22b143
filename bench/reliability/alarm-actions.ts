/**
 * reliability/alarm-actions: synthesizes the stack as `cdk synth -c kinship:staffAlertEmail=…` does and checks that
 * every CloudWatch alarm has an action to an SNS topic with a staff email subscription, that every function of the
 * topology has an Errors alarm, and that a synth without a staff address warns instead of deploying alarms nobody hears.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { topology } from '#shared/topology.ts';
import { auditAlarms } from '#test/infra/alarm-audit.ts';
import { functionOf, logicalId, synthesize, testApp } from '#test/infra/stack-fixture.ts';
import { machineInfo } from '../bench-harness.ts';
import type { ReliabilityReport, ReliabilityScale } from './scenario.ts';

export const description = 'every alarm of the synthesized stack notifies an SNS topic with a staff email subscription; every function has an Errors alarm';

const STAFF = 'alerts@shop.example';

export async function run(scale: ReliabilityScale): Promise<ReliabilityReport> {
  const { stack, template } = synthesize({}, testApp({ 'kinship:staffAlertEmail': STAFF }));
  const audit = auditAlarms(
    template,
    topology.functions.map((fn) => logicalId(functionOf(stack, fn.name))),
  );
  const unsubscribed = synthesize({}, testApp());
  const warned = Annotations.fromStack(unsubscribed.stack).findWarning('*', Match.stringLikeRegexp('No staff alert email is set')).length > 0;

  const violations = [
    ...audit.unheard.map(({ alarm, why }) => `alarm ${alarm}: ${why}`),
    ...audit.unwatchedFunctions.map((fn) => `function ${fn} has no Errors alarm`),
    ...(audit.alarms === 0 ? ['the stack has no alarms at all'] : []),
    ...(warned ? [] : ['a synth without kinship:staffAlertEmail does not warn that alarms reach nobody']),
  ];
  return {
    summary: [
      `${audit.alarms} alarms, ${audit.alarms - audit.unheard.length} notify a topic with an email subscriber (${Object.values(audit.subscribers).flat().join(', ')}); ${audit.functions - audit.unwatchedFunctions.length} of ${audit.functions} functions have an Errors alarm`,
      `a synth without a staff address ${warned ? 'warns' : 'does NOT warn'}`,
    ],
    result: {
      date: new Date().toISOString(),
      machine: machineInfo(),
      scale,
      alarms: audit.alarms,
      unheard: audit.unheard,
      functions: audit.functions,
      unwatchedFunctions: audit.unwatchedFunctions,
      warnsWithoutSubscriber: warned,
    },
    violations,
  };
}
