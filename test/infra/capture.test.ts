import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { arnOf, functionOf, logicalId, resourcesFor, senderIdentity, statementsOfRole, synthesize } from './stack-fixture.ts';

const { stack, template } = synthesize({ senderIdentity });

const routes = [
  { fn: 'show-form', routeKey: 'GET /form/{formToken}', sourcePath: '/form/{formToken}' },
  { fn: 'submit-form', routeKey: 'POST /api/submissions', sourcePath: '/api/submissions' },
  { fn: 'confirm-email', routeKey: 'GET /confirm', sourcePath: '/confirm' },
] as const;

function roleOf(name: string) {
  const role = functionOf(stack, name).role;
  if (!role) throw new Error(`${name} has no role`);
  return role;
}

const actionsOf = (name: string) =>
  statementsOfRole(template, roleOf(name))
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => s.Action);

const LambdaEnvironment = z.object({ Properties: z.object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }) });
function environmentOf(name: string): Record<string, unknown> {
  return LambdaEnvironment.parse(template.findResources('AWS::Lambda::Function')[logicalId(functionOf(stack, name))]).Properties.Environment.Variables;
}

describe('the incentive form routes', () => {
  it.each(routes)('serves $routeKey publicly from $fn', ({ fn, routeKey }) => {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration', {
      Properties: { IntegrationType: 'AWS_PROXY', IntegrationUri: arnOf(functionOf(stack, fn)) },
    });
    expect(Object.keys(integrations)).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: routeKey,
      AuthorizationType: 'NONE',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: Object.keys(integrations)[0] }]] },
    });
  });

  it.each(routes)('lets only this API invoke $fn, on its own path', ({ fn, sourcePath }) => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: arnOf(functionOf(stack, fn)),
      SourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ Ref: logicalId(stack.api.api) }, `/*/*${sourcePath}`])] }),
    });
  });
});

describe('least privilege for the capture functions', () => {
  it("lets show-form read orders, profiles and incentives and mark an order's first view: no deletes, no scans, no events, no email", () => {
    const actions = actionsOf('show-form');
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'secretsmanager:GetSecretValue']));
    expect(actions.filter((a) => /^dynamodb:(Delete|Scan)/.test(a))).toEqual([]);
    expect(actions.filter((a) => /^(events|ses|sqs):/.test(a))).toEqual([]);
  });

  it.each(['submit-form', 'confirm-email'])('lets %s write the table, publish to the Kinship bus and send email', (name) => {
    const statements = statementsOfRole(template, roleOf(name));
    expect(actionsOf(name)).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:PutItem', 'secretsmanager:GetSecretValue']));
    expect(resourcesFor(statements, 'events:PutEvents')).toEqual([arnOf(stack.data.bus)]);
    expect(resourcesFor(statements, 'ses:SendEmail').map((r) => JSON.stringify(r))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`:identity/${senderIdentity.replaceAll('.', '\\.')}"\\]\\]\\}$`)),
        expect.stringMatching(/:configuration-set\//),
      ]),
    );
    expect(actionsOf(name).filter((a) => a.startsWith('sqs:') && a !== 'sqs:SendMessage')).toEqual([]);
  });

  it.each(['submit-form', 'confirm-email'])('tells %s the configuration set and the signing-key secret, not the key', (name) => {
    const environment = environmentOf(name);
    expect(environment).toHaveProperty('SES_CONFIGURATION_SET');
    expect(environment).toHaveProperty('SIGNING_KEY_SECRET_ARN');
    expect(environment).not.toHaveProperty('KINSHIP_SIGNING_KEY');
  });

  it('tells show-form nothing about email', () => {
    expect(environmentOf('show-form')).not.toHaveProperty('SES_CONFIGURATION_SET');
  });
});
