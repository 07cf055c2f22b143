/**
 * The environment the handlers get locally: the same variable names the CDK stack sets in AWS, pointed at
 * the local emulators, plus fixed fake credentials so nothing can reach a real AWS account by accident.
 */
import { queueUrlVariable } from '#shared/runtime/queue-url.ts';
import type { Topology } from '#shared/topology.ts';

export interface LocalEndpoints {
  tableName: string;
  dynamodb: string;
  eventBusName: string;
  eventBridge: string;
  ses: string;
  sqs: string;
  queueUrl: (name: string) => string;
  publicBaseUrl: string;
  signingKey: string;
  region: string;
  /** Staff sign-in through the Cognito emulator, when the topology has a function that verifies it. */
  cognito?: { issuer: string; clientId: string; hostedUiUrl: string };
}

export function handlerEnvironment(topology: Topology, endpoints: LocalEndpoints): Record<string, string> {
  return {
    TABLE_NAME: endpoints.tableName,
    DYNAMODB_ENDPOINT: endpoints.dynamodb,
    EVENT_BUS_NAME: endpoints.eventBusName,
    EVENTBRIDGE_ENDPOINT: endpoints.eventBridge,
    SES_ENDPOINT: endpoints.ses,
    SQS_ENDPOINT: endpoints.sqs,
    ...Object.fromEntries(topology.queues.map((q) => [queueUrlVariable(q.name), endpoints.queueUrl(q.name)])),
    PUBLIC_BASE_URL: endpoints.publicBaseUrl,
    KINSHIP_SIGNING_KEY: endpoints.signingKey,
    AWS_REGION: endpoints.region,
    AWS_DEFAULT_REGION: endpoints.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // Service-specific endpoints the AWS SDK v3 honours by itself: a client created without an explicit
    // endpoint still lands on the local emulator rather than in a real account.
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_ENDPOINT_URL_SES: endpoints.ses,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    // No X-Ray daemon and no CloudWatch here: the tracer stays unloaded and no EMF metrics are printed.
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...(endpoints.cognito
      ? { COGNITO_ISSUER: endpoints.cognito.issuer, COGNITO_CLIENT_ID: endpoints.cognito.clientId, COGNITO_HOSTED_UI_URL: endpoints.cognito.hostedUiUrl }
      : {}),
  };
}

/** Variables that would mix real credentials into the fake ones; removed locally. */
export const CLEARED_VARIABLES = ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_SECURITY_TOKEN', 'SIGNING_KEY_SECRET_ARN'] as const;
