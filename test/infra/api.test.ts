import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpRoutes, topology } from '#shared/topology.ts';
import { arnOf, extendedTopology, functionOf, logicalId, senderIdentity, synthesize, type Synthesized } from './stack-fixture.ts';

const real = synthesize();
const extended = synthesize({ topology: extendedTopology, senderIdentity });

const RouteKeyOf = z.object({ Properties: z.object({ RouteKey: z.string() }) });
const AccessLogFormat = z.object({ Properties: z.object({ AccessLogSettings: z.object({ Format: z.string() }) }) });
const authorizationType = { apiKey: 'AWS_IAM', public: 'NONE' } as const;

function expectEveryRoute({ template, stack }: Synthesized, routes: ReturnType<typeof httpRoutes>) {
  template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
  for (const { fn, route } of routes) {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration', {
      Properties: { IntegrationType: 'AWS_PROXY', IntegrationUri: arnOf(functionOf(stack, fn.name)), PayloadFormatVersion: '2.0' },
    });
    expect(Object.keys(integrations), `${route.method} ${route.path} integration`).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: `${route.method} ${route.path}`,
      AuthorizationType: authorizationType[route.auth],
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: Object.keys(integrations)[0] }]] },
    });
  }
}

describe('the HTTP API', () => {
  it('is an HTTP API (API Gateway v2) without CORS', () => {
    real.template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    real.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', CorsConfiguration: Match.absent() });
  });

  it('serves every route of the topology from its function, IAM-signed for apiKey routes', () => {
    expect(httpRoutes(topology).length).toBeGreaterThan(0);
    expectEveryRoute(real, httpRoutes(topology));
  });

  it('leaves public routes without IAM auth, and keeps apiKey routes on IAM, in a topology with both', () => {
    const routes = httpRoutes(extendedTopology);
    expect(new Set(routes.map(({ route }) => route.auth))).toEqual(new Set(['apiKey', 'public']));
    expectEveryRoute(extended, routes);
  });

  it('serves the email survey from the unsubscribe function, public, GET and POST', () => {
    const survey = httpRoutes(topology).filter(({ route }) => route.path === '/survey');
    expect(survey.map(({ fn, route }) => `${fn.name} ${route.method} ${route.auth}`).sort()).toEqual(['unsubscribe GET public', 'unsubscribe POST public']);
    for (const method of ['GET', 'POST'])
      real.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${method} /survey`, AuthorizationType: 'NONE' });
  });

  it('lets API Gateway invoke each routed function only from this API', () => {
    const fn = functionOf(real.stack, 'record-purchase');
    real.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: arnOf(fn),
      SourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ Ref: logicalId(real.stack.api.api) }, '/*/*/api/purchases'])] }),
    });
  });

  it("deploys none of the local runtime's own routes (/_local/*, the /_t/ tracking stand-ins)", () => {
    const routeKeys = Object.values(real.template.findResources('AWS::ApiGatewayV2::Route')).map((route) => RouteKeyOf.parse(route).Properties.RouteKey);
    expect(routeKeys.length).toBeGreaterThan(0);
    const paths = routeKeys.map((key) => key.split(' ')[1] ?? '');
    expect(paths.filter((path) => path.startsWith('/_local') || path.startsWith('/_t/') || path === '/_t')).toEqual([]);
  });

  it('throttles the default stage and writes access logs to a log group with a retention', () => {
    real.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] }, Format: Match.anyValue() },
    });
    real.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('keeps IP addresses and user agents out of the access log', () => {
    const [stage] = Object.values(real.template.findResources('AWS::ApiGatewayV2::Stage'));
    const format = AccessLogFormat.parse(stage).Properties.AccessLogSettings.Format;
    expect(format).toContain('$context.requestId');
    expect(format).not.toMatch(/sourceIp|userAgent/);
  });
});
