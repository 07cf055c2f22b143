import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { arnOf, functionOf, logicalId, ref, resourcesFor, senderIdentity, statementsOfRole, synthesize } from './stack-fixture.ts';

const { stack, template } = synthesize({ senderIdentity });
const consoleResources = stack.console;

const LambdaEnvironment = z.object({ Properties: z.object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }) });
function environmentOf(name: string): Record<string, unknown> {
  return LambdaEnvironment.parse(template.findResources('AWS::Lambda::Function')[logicalId(functionOf(stack, name))]).Properties.Environment.Variables;
}

function routeAuthorization(routeKey: string): unknown {
  const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }));
  expect(routes, routeKey).toHaveLength(1);
  return z.object({ Properties: z.object({ AuthorizationType: z.string() }) }).parse(routes[0]).Properties.AuthorizationType;
}

describe('staff sign-in', () => {
  it('has a user pool without self sign-up, with optional TOTP MFA and a strong password policy', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
    });
  });

  it('has a public app client for the hosted sign-in with the code flow only, calling back to the console', () => {
    if (!consoleResources) throw new Error('the stack has no console');
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: ref(consoleResources.userPool),
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: Match.arrayWith(['openid', 'email']),
      CallbackURLs: [Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['/console/callback'])]) })],
    });
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it('has the groups staff, marketer and admin, admin taking precedence', () => {
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => z.object({ Properties: z.object({ GroupName: z.string(), Precedence: z.number() }) }).parse(g).Properties,
    );
    expect(groups.sort((a, b) => a.Precedence - b.Precedence).map((g) => g.GroupName)).toEqual(['admin', 'marketer', 'staff']);
  });

  it('tells the console function the issuer, client and hosted sign-in of this pool', () => {
    if (!consoleResources) throw new Error('the stack has no console');
    const env = environmentOf('console');
    expect(env.COGNITO_CLIENT_ID).toEqual(ref(consoleResources.client));
    expect(JSON.stringify(env.COGNITO_ISSUER)).toContain('cognito-idp.');
    expect(JSON.stringify(env.COGNITO_ISSUER)).toContain(logicalId(consoleResources.userPool));
    expect(env.COGNITO_HOSTED_UI_URL).toBeDefined();
  });
});

describe('console and staff routes', () => {
  it.each(['GET /console', 'GET /console/{proxy+}', 'POST /console/{proxy+}'])(
    '%s reaches the console function, which verifies the session cookie itself',
    (routeKey) => {
      // A JWT authorizer reads the Authorization header, which a browser's page navigation never carries.
      expect(routeAuthorization(routeKey)).toBe('NONE');
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationUri: arnOf(functionOf(stack, 'console')) });
    },
  );

  it('guards POST /api/interactions with IAM (a till or helpdesk signs its calls)', () => {
    expect(routeAuthorization('POST /api/interactions')).toBe('AWS_IAM');
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationUri: arnOf(functionOf(stack, 'record-interaction')) });
  });
});

describe('escalations', () => {
  it('run every 15 minutes and may publish to the StaffAlerts topic, and only that topic', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({ Arn: arnOf(functionOf(stack, 'escalate-cases')) }),
    });
    const role = functionOf(stack, 'escalate-cases').role;
    if (!role) throw new Error('no role');
    const statements = statementsOfRole(template, role);
    expect(resourcesFor(statements, 'sns:Publish')).toEqual([ref(stack.measurement.staffAlerts)]);
    expect(environmentOf('escalate-cases').STAFF_TOPIC_ARN).toEqual(ref(stack.measurement.staffAlerts));
  });

  it('gives the SNS topic to no other function', () => {
    for (const name of ['console', 'record-interaction']) {
      const role = functionOf(stack, name).role;
      if (!role) throw new Error('no role');
      expect(resourcesFor(statementsOfRole(template, role), 'sns:Publish'), name).toEqual([]);
    }
  });
});

describe('the encrypted staff topic', () => {
  it('lets escalate-cases use the topic’s KMS key to publish', () => {
    const role = functionOf(stack, 'escalate-cases').role;
    if (!role) throw new Error('no role');
    const kms = statementsOfRole(template, role).filter((s) => s.Action.some((a) => a.startsWith('kms:GenerateDataKey')));
    expect(JSON.stringify(kms)).toContain('StaffAlertsKey');
  });
});
