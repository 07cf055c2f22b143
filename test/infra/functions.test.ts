import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { topology } from '#shared/topology.ts';
import {
  arnOf,
  childOf,
  extendedTopology,
  functionOf,
  logicalId,
  ref,
  resourcesFor,
  senderIdentity,
  statementsOfRole,
  synthesize,
  type Synthesized,
} from './stack-fixture.ts';

const real = synthesize();
const extended = synthesize({ topology: extendedTopology, senderIdentity });

function roleOf({ stack }: Synthesized, name: string) {
  const { role } = functionOf(stack, name);
  if (!role) throw new Error(`${name} has no role`);
  return role;
}

function statementsOf(synthesized: Synthesized, name: string) {
  return statementsOfRole(synthesized.template, roleOf(synthesized, name));
}

const LambdaEnvironment = z.object({ Properties: z.object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }) });

function environmentOf({ stack, template }: Synthesized, name: string): Record<string, unknown> {
  const resource = template.findResources('AWS::Lambda::Function')[logicalId(functionOf(stack, name))];
  return LambdaEnvironment.parse(resource).Properties.Environment.Variables;
}

describe('feature constructs', () => {
  it('group every function of the topology under one construct per feature (README, the infra/ row of the layout)', () => {
    const byFeature = Object.fromEntries([...real.stack.functions.features].map(([feature, construct]) => [feature, [...construct.functions.keys()].sort()]));
    expect(byFeature).toEqual({
      purchases: ['record-purchase'],
      capture: ['confirm-email', 'show-form', 'submit-form'],
      segmentation: ['run-segmenter'],
      campaigns: ['plan-campaign'],
      sending: ['dispatch-due-sends', 'send-email', 'unsubscribe'],
      measurement: ['record-email-event', 'show-report'],
      console: ['console', 'escalate-cases', 'record-interaction'],
      privacy: ['privacy-request', 'sweep-retention'],
    });
    expect(
      topology.functions.every(
        (fn) =>
          childOf(real.stack, 'Functions', fn.feature.charAt(0).toUpperCase() + fn.feature.slice(1)).node.tryFindChild(
            fn.name
              .split('-')
              .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
              .join(''),
          ) !== undefined,
      ),
    ).toBe(true);
  });
});

describe('every function of the topology', () => {
  it.each(topology.functions.map((spec) => [spec.name, spec] as const))(
    '%s runs Node.js 22 on arm64 with its spec, X-Ray and its own log group',
    (name, spec) => {
      const fn = functionOf(real.stack, name);
      real.template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: Match.absent(),
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        TracingConfig: { Mode: 'Active' },
        Role: arnOf(roleOf(real, name)),
        LoggingConfig: { LogGroup: ref(fn.logGroup) },
      });
      real.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    },
  );

  it.each(topology.functions.map((spec) => [spec.name] as const))('%s gets the table, the bus, the API URL and the service name', (name) => {
    const { data, api } = real.stack;
    expect(environmentOf(real, name)).toMatchObject({
      TABLE_NAME: ref(data.table),
      EVENT_BUS_NAME: ref(data.bus),
      PUBLIC_BASE_URL: { 'Fn::GetAtt': [logicalId(api.api), 'ApiEndpoint'] },
      POWERTOOLS_SERVICE_NAME: 'kinship',
    });
  });

  it.each(topology.functions.map((spec) => [spec.name] as const))('%s starts without --enable-source-maps (measured: it slows every cold start)', (name) => {
    expect(environmentOf(real, name)).not.toHaveProperty('NODE_OPTIONS');
  });

  it.each(topology.functions.map((spec) => [spec.name] as const))('%s has an alarm on any error', (name) => {
    real.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: ref(functionOf(real.stack, name)) }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('uses no AWS managed policies: no AWSLambdaBasicExecutionRole, whose logs grant covers every log group', () => {
    expect(Object.keys(extended.template.findResources('AWS::IAM::Role'))).not.toHaveLength(0);
    expect(extended.template.findResources('AWS::IAM::Role', { Properties: { ManagedPolicyArns: Match.anyValue() } })).toEqual({});
  });

  it.each(extendedTopology.functions.map((spec) => [spec.name] as const))('%s has "*" only for the X-Ray actions, which allow nothing narrower', (name) => {
    const wildcard = statementsOf(extended, name).filter((s) => s.Resource.includes('*'));
    expect(wildcard.flatMap((s) => s.Action).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });
});

describe('least privilege for record-purchase (table readWrite, publishEvents, signingKey)', () => {
  const statements = statementsOf(real, 'record-purchase');
  const { data } = real.stack;
  const tableAndIndexes = [arnOf(data.table), { 'Fn::Join': ['', [arnOf(data.table), '/index/*']] }];

  it('may use DynamoDB only on the Kinship table and its indexes', () => {
    const dynamodb = statements.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
    expect(dynamodb.length).toBeGreaterThan(0);
    for (const statement of dynamodb) {
      expect(statement.Action.every((a) => a.startsWith('dynamodb:'))).toBe(true);
      expect(statement.Resource).toEqual(tableAndIndexes);
    }
    expect(resourcesFor(statements, 'dynamodb:PutItem')).toEqual(tableAndIndexes);
  });

  it('may use the table key, and only the table key', () => {
    expect(resourcesFor(statements, 'kms:Decrypt')).toEqual([arnOf(data.key)]);
    expect(resourcesFor(statements, 'kms:GenerateDataKey*')).toEqual([arnOf(data.key)]);
  });

  it('may put events only on the kinship bus', () => {
    expect(resourcesFor(statements, 'events:PutEvents')).toEqual([arnOf(data.bus)]);
  });

  it('may read only the signing secret, and is told its ARN', () => {
    expect(resourcesFor(statements, 'secretsmanager:GetSecretValue')).toEqual([ref(data.signingKey)]);
    expect(environmentOf(real, 'record-purchase')).toMatchObject({ SIGNING_KEY_SECRET_ARN: ref(data.signingKey) });
  });

  it('may write only to its own log group', () => {
    expect(resourcesFor(statements, 'logs:PutLogEvents')).toEqual([arnOf(functionOf(real.stack, 'record-purchase').logGroup)]);
  });

  it('has exactly these actions and no others', () => {
    expect([...new Set(statements.flatMap((s) => s.Action))].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'events:PutEvents',
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey*',
      'kms:ReEncrypt*',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });
});

describe('functions that derive a customer id from an address (keyed with the signing secret)', () => {
  const { data } = real.stack;
  it.each(['record-purchase', 'submit-form', 'confirm-email', 'record-interaction', 'record-email-event', 'console', 'privacy-request'])(
    '%s may read the signing secret and is told its ARN',
    (name) => {
      expect(resourcesFor(statementsOf(real, name), 'secretsmanager:GetSecretValue')).toEqual([ref(data.signingKey)]);
      expect(environmentOf(real, name)).toMatchObject({ SIGNING_KEY_SECRET_ARN: ref(data.signingKey) });
    },
  );
});

describe('least privilege follows each access entry', () => {
  const actionsOf = (name: string) => statementsOf(extended, name).flatMap((s) => s.Action);

  it('gives a function without publishEvents no events:PutEvents', () => {
    expect(actionsOf('show-form')).not.toContain('events:PutEvents');
    expect(actionsOf('planner')).not.toContain('events:PutEvents');
    expect(actionsOf('segmenter')).toContain('events:PutEvents');
  });

  it('gives table "read" no write actions and no key for encrypting', () => {
    const actions = actionsOf('segmenter');
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
    expect(actions.filter((a) => /^kms:(Encrypt|GenerateDataKey|ReEncrypt)/.test(a))).toEqual([]);
  });

  it('gives a function without signingKey neither the secret nor its ARN', () => {
    expect(actionsOf('segmenter').filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    expect(environmentOf(extended, 'segmenter')).not.toHaveProperty('SIGNING_KEY_SECRET_ARN');
  });

  it('lets a queue producer send only to its queue (and its own failure DLQ), and tells it the queue URL', () => {
    const outbox = extended.stack.queues.queue('outbox', 'test');
    const failures = childOf(extended.stack, 'Functions', 'Test', 'Planner', 'FailedInvocations');
    expect(resourcesFor(statementsOf(extended, 'planner'), 'sqs:SendMessage')).toEqual(expect.arrayContaining([arnOf(outbox), arnOf(failures)]));
    expect(resourcesFor(statementsOf(extended, 'planner'), 'sqs:SendMessage')).toHaveLength(2);
    expect(environmentOf(extended, 'planner')).toMatchObject({ OUTBOX_QUEUE_URL: ref(outbox) });
    expect(resourcesFor(statementsOf(extended, 'segmenter'), 'sqs:SendMessage')).not.toContainEqual(arnOf(outbox));
    expect(actionsOf('show-form').filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  it('lets a sender send email only from the shop identity through the Kinship configuration set', () => {
    const resources = resourcesFor(statementsOf(extended, 'sender'), 'ses:SendEmail');
    expect(resources).toHaveLength(2);
    expect(resources.map((r) => JSON.stringify(r)).sort()).toEqual([
      expect.stringMatching(/:configuration-set\/",\{"Ref":"EmailConfigurationSet\w+"\}\]\]\}$/),
      expect.stringMatching(new RegExp(`:identity/${senderIdentity}"\\]\\]\\}$`)),
    ]);
    expect(resourcesFor(statementsOf(extended, 'sender'), 'ses:SendBulkEmail')).toEqual(resources);
    expect(environmentOf(extended, 'sender')).toMatchObject({
      SES_CONFIGURATION_SET: { Ref: expect.stringMatching(/^EmailConfigurationSet/) },
      SES_SENDER_IDENTITY: senderIdentity,
    });
    expect(actionsOf('planner').filter((a) => a.startsWith('ses:'))).toEqual([]);
  });
});

describe('table access narrowed by each declaration (issue 13, item 7)', () => {
  const tableStatements = (name: string) => statementsOf(real, name).filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));

  it.each(topology.functions.filter((fn) => fn.access.table).map((fn) => [fn.name, fn.access.table] as const))(
    '%s: its declared partitions and actions, nothing more',
    (name, access) => {
      const [statement, ...more] = tableStatements(name);
      expect(more).toEqual([]);
      const actions = statement?.Action ?? [];
      expect(actions.includes('dynamodb:Scan')).toBe(!Array.isArray(access?.keys));
      expect(actions.includes('dynamodb:DeleteItem')).toBe(access?.deletes === true);
      expect(actions.some((a) => /^dynamodb:(Put|Update|BatchWrite)/.test(a))).toBe(access?.mode === 'readWrite');
      const leadingKeys = Array.isArray(access?.keys) ? access.keys.map((prefix) => `${prefix}*`) : undefined;
      expect(statement?.Condition).toEqual(leadingKeys ? { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } } : undefined);
    },
  );

  it('lets the public unsubscribe function touch only profiles (with their ledger), counters and survey guards', () => {
    expect(tableStatements('unsubscribe')[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CUST#*', 'STATS#*', 'INTERACTION#*'] },
    });
  });
});
