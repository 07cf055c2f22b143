import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { ConfigurationSet, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface EmailConstructProps {
  /**
   * The SES identity mail is sent from: the shop's domain (`mail.example.com`) or one address. It is verified
   * once in the SES console (DNS records for DKIM), not created here, so redeploys never touch DNS.
   */
  senderIdentity: string;
}

/**
 * SES sending: the configuration set every message goes through (reputation metrics, and later the event
 * destination for deliveries, bounces and complaints) and the one grant a sending function needs.
 */
export class EmailConstruct extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly senderIdentity: string;
  readonly identityArn: string;
  readonly configurationSetArn: string;

  constructor(scope: Construct, id: string, props: EmailConstructProps) {
    super(scope, id);
    this.senderIdentity = props.senderIdentity;
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      // Let the account-level suppression list stop sends to addresses that bounced or complained.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const stack = Stack.of(this);
    this.identityArn = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: props.senderIdentity });
    this.configurationSetArn = stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
  }

  /** SES authorises a send on both the identity and the configuration set; nothing else is needed. */
  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendBulkEmail'],
        resources: [this.identityArn, this.configurationSetArn],
      }),
    );
  }
}
