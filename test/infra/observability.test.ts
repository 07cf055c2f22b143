import { Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EVENT_METRICS, SEND_OUTCOME_METRICS, SEND_REDELIVERIES } from '#shared/observability/kinship-metrics.ts';
import { topology } from '#shared/topology.ts';
import { functionOf, logicalId, statementsOfRole, synthesize, testApp, type Synthesized } from './stack-fixture.ts';

const real = synthesize();
const renamed = synthesize({}, testApp({ 'kinship:metricsNamespace': 'ShopMetrics' }));

const LambdaFunction = z.object({
  Properties: z.object({ TracingConfig: z.object({ Mode: z.string() }), Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }),
});

function lambdaOf({ stack, template }: Synthesized, name: string) {
  return LambdaFunction.parse(template.findResources('AWS::Lambda::Function')[logicalId(functionOf(stack, name))]).Properties;
}

/** The dashboard's body as CloudFormation will join it, each token (a Ref to a queue or function) written as its JSON. */
function dashboardBody({ template }: Synthesized): { name: unknown; body: string } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')).map(
    (d) => z.object({ Properties: z.object({ DashboardName: z.unknown(), DashboardBody: z.unknown() }) }).parse(d).Properties,
  );
  expect(dashboards).toHaveLength(1);
  const [dashboard] = dashboards;
  const joined = z.object({ 'Fn::Join': z.tuple([z.literal(''), z.array(z.unknown())]) }).parse(dashboard?.DashboardBody);
  return { name: dashboard?.DashboardName, body: joined['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('') };
}

describe('observability of every function', () => {
  it.each(topology.functions.map((spec) => [spec.name] as const))(
    '%s is traced (X-Ray Active, allowed to put segments) and names its service and metrics namespace',
    (name) => {
      const fn = lambdaOf(real, name);
      expect(fn.TracingConfig.Mode).toBe('Active');
      expect(fn.Environment.Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'kinship', POWERTOOLS_METRICS_NAMESPACE: 'Kinship' });
      const { role } = functionOf(real.stack, name);
      if (!role) throw new Error(`${name} has no role`);
      const actions = statementsOfRole(real.template, role)
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => s.Action);
      expect(actions).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
    },
  );

  it('takes the metrics namespace from the context key kinship:metricsNamespace', () => {
    for (const spec of topology.functions) expect(lambdaOf(renamed, spec.name).Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('ShopMetrics');
    expect(dashboardBody(renamed).body).toContain('"ShopMetrics"');
    expect(dashboardBody(renamed).body).not.toContain('"Kinship",');
  });
});

describe('the operations dashboard', () => {
  const { name, body } = dashboardBody(real);

  it('is one dashboard named after the stack', () => {
    expect(name).toBe('Kinship-operations');
  });

  it('charts every Kinship metric the code publishes, in the Kinship namespace under the service dimension', () => {
    for (const metric of [...Object.values(EVENT_METRICS), ...SEND_OUTCOME_METRICS, SEND_REDELIVERIES])
      expect(body).toContain(`["Kinship","${metric}","service","kinship"`);
    expect(SEND_OUTCOME_METRICS).toEqual(
      expect.arrayContaining(['EmailsSent', 'EmailsSkippedSuppressed', 'EmailsSkippedFrequencyCap', 'EmailsFailed', 'EmailsThrottled']),
    );
  });

  it('charts errors, throttles and p95 duration of every function', () => {
    for (const spec of topology.functions) {
      const fnRef = JSON.stringify({ Ref: logicalId(functionOf(real.stack, spec.name)) });
      for (const metric of ['Errors', 'Throttles', 'Duration']) expect(body).toContain(`["AWS/Lambda","${metric}","FunctionName","${fnRef}"`);
    }
    expect(body).toContain('"stat":"p95"');
  });

  it('charts the depth of every dead-letter queue in the stack', () => {
    const queues = Stack.of(real.stack)
      .node.findAll()
      .filter((c): c is Queue => c instanceof Queue);
    const deadLetterQueues = queues.filter((q) => q.node.id.endsWith('Dlq') || q.node.id === 'FailedInvocations');
    expect(deadLetterQueues.length).toBeGreaterThan(2);
    for (const dlq of deadLetterQueues)
      expect(body).toContain(
        `["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","${JSON.stringify({ 'Fn::GetAtt': [logicalId(dlq), 'QueueName'] })}"`,
      );
    const workQueues = queues.filter((q) => !deadLetterQueues.includes(q));
    for (const queue of workQueues) expect(body).not.toContain(JSON.stringify({ 'Fn::GetAtt': [logicalId(queue), 'QueueName'] }));
  });

  it("charts the SES account's bounce and complaint rates with the alarm thresholds", () => {
    expect(body).toContain('["AWS/SES","Reputation.BounceRate"');
    expect(body).toContain('["AWS/SES","Reputation.ComplaintRate"');
    expect(body).toContain('"value":0.02');
    expect(body).toContain('"value":0.001');
  });
});
