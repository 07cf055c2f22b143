import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Trigger } from '#shared/topology.ts';
import { pascalCase } from './names.ts';

export type HttpTrigger = Extract<Trigger, { kind: 'http' }>;

/** Steady-state and burst requests per second for the whole API; a shop's POS and its customers stay far below. */
const THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/**
 * One access-log line per request. Deliberately no source IP and no user agent: those are personal data,
 * and the request id is enough to join a log line with the function's own logs.
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  caller: '$context.identity.userArn',
};

/**
 * The HTTP API (API Gateway v2). `apiKey` routes are for the shop's own systems and staff tools and use IAM
 * auth (SigV4-signed requests); `public` routes serve customers and are protected by HMAC-signed tokens in
 * the URL, checked by the handler. No CORS: every page is served from the API's own origin.
 */
export class ApiConstruct extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** The API's base URL, without a trailing slash: the default for links in emails and pages. */
  readonly url: string;
  private readonly iamAuthorizer = new HttpIamAuthorizer();
  private readonly integrations = new Map<string, HttpLambdaIntegration>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: 'kinship',
      description: 'Kinship: purchases from the shop, incentive forms, confirmations and unsubscribes',
      // The default stage is created below, so it can carry throttling and access logs.
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.url = this.api.apiEndpoint;
  }

  /** Routes one topology `http` trigger to its function. */
  addRoute(fn: IFunction, functionName: string, trigger: HttpTrigger): void {
    // One integration (and one invoke permission) per function, however many routes it serves (GET and POST /unsubscribe).
    let integration = this.integrations.get(functionName);
    if (!integration) {
      integration = new HttpLambdaIntegration(`${pascalCase(functionName)}Integration`, fn);
      this.integrations.set(functionName, integration);
    }
    const routes = this.api.addRoutes({
      path: trigger.path,
      methods: [HttpMethod[trigger.method]],
      integration,
      authorizer: trigger.auth === 'apiKey' ? this.iamAuthorizer : undefined,
    });
    if (trigger.auth === 'public') {
      for (const route of routes) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason:
            `${trigger.method} ${trigger.path} is a customer-facing page or form (no AWS identity to sign with). ` +
            'The handler authorises each request with an HMAC-signed, expiring token in the URL; the stage throttles abuse.',
        });
      }
    }
  }
}
