import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccountRecovery, CfnUserPoolGroup, Mfa, OAuthScope, UserPool, UserPoolClient, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { STAFF_GROUPS } from '#shared/auth/staff-roles.ts';
import type { Topology } from '#shared/topology.ts';
import type { AppFunction } from './app-function.ts';

export interface ConsoleConstructProps {
  topology: Topology;
  functions: ReadonlyMap<string, AppFunction>;
  /** The API's base URL: the app client's callback is `<url>/console/callback`. */
  apiUrl: string;
  /** The hosted sign-in's domain prefix (`<prefix>.auth.<region>.amazoncognito.com`); globally unique. */
  domainPrefix: string;
  /** Where staff notifications go (the StaffAlerts topic, which also carries every alarm). */
  staffTopic: ITopic;
}

/**
 * The staff console's sign-in and notifications: a Cognito user pool (no self sign-up, TOTP MFA optional), its
 * hosted sign-in with the OAuth code flow (PKCE, public client: no secret in a browser flow), the groups
 * staff/marketer/admin, and the grants that let the topology's `staffSignIn` functions verify tokens and its
 * `notifyStaff` functions publish to the staff topic. The console's own routes verify the session cookie in the
 * handler: an API Gateway JWT authorizer reads only the Authorization header, which page navigation never sends.
 */
export class ConsoleConstruct extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;

  constructor(scope: Construct, id: string, props: ConsoleConstructProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'StaffPool', {
      userPoolName: 'kinship-staff',
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Staff accounts are the shop's people: keep them if the stack is deleted by mistake.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-COG2',
        reason:
          'TOTP MFA is offered (optional), not forced: a shop can require it per user; forcing it would lock out a till shared by a shift. Sessions are short (1 h ID token, 12 h refresh).',
      },
      {
        id: 'AwsSolutions::AwsSolutions-COG8',
        reason:
          'Threat protection needs the Cognito Plus plan; a small shop with a handful of staff accounts and no self sign-up gets little from it. Turn it on in the pool when the staff grows.',
      },
    );

    const region = Stack.of(this).region;
    this.domain = this.userPool.addDomain('HostedSignIn', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    this.client = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: 'kinship-console',
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.apiUrl}/console/callback`],
        logoutUrls: [`${props.apiUrl}/console/signed-out`],
      },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    // Lower precedence wins when a user is in several groups: admin first.
    [...STAFF_GROUPS].reverse().forEach((group, precedence) => {
      new CfnUserPoolGroup(this, `${group[0]?.toUpperCase() ?? ''}${group.slice(1)}Group`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        precedence,
        description: `Kinship console: ${group}`,
      });
    });

    for (const spec of props.topology.functions) {
      const fn = props.functions.get(spec.name);
      if (!fn) continue;
      if (spec.access.staffSignIn) {
        fn.addEnvironment('COGNITO_ISSUER', `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`);
        fn.addEnvironment('COGNITO_CLIENT_ID', this.client.userPoolClientId);
        fn.addEnvironment('COGNITO_HOSTED_UI_URL', this.domain.baseUrl());
      }
      if (spec.access.notifyStaff) {
        props.staffTopic.grantPublish(fn);
        fn.addEnvironment('STAFF_TOPIC_ARN', props.staffTopic.topicArn);
      }
    }
  }
}

/** Whether a topology needs the console's resources at all (test topologies often do not). */
export function needsConsole(topology: Topology): boolean {
  return topology.functions.some((fn) => fn.access.staffSignIn === true || fn.access.notifyStaff === true);
}
