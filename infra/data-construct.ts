import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '#shared/events/event-definition.ts';
import { tableDesign } from '#shared/table/table-design.ts';

/** Length of the generated HMAC key for form, confirm and unsubscribe links. */
const SIGNING_KEY_LENGTH = 48;

/**
 * The state every feature shares: the single table (with its key), the `kinship` event bus and the
 * link-signing secret. All three outlive the stack: customer data, consent records and links already
 * sent in emails must survive a redeploy or an accidental stack deletion.
 */
export class DataConstruct extends Construct {
  readonly key: Key;
  readonly table: Table;
  readonly bus: EventBus;
  readonly signingKey: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    // Retained with the table: deleting the key would make the retained table unreadable.
    this.key = new Key(this, 'TableKey', {
      description: 'Kinship: encrypts the customer table (profiles, orders, consent)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Built from the same design the local runtime uses for DynamoDB Local, so the two cannot drift.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableDesign.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDesign.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      timeToLiveAttribute: tableDesign.timeToLiveAttribute,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableDesign.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    this.bus = new EventBus(this, 'Bus', {
      eventBusName: EVENT_SOURCE,
      description: 'Kinship domain events (PurchaseRecorded, SegmentEntered, ...)',
    });

    // The generated value is one plain key (no punctuation, so never a "{"), read as key k1 of the ring
    // (shared/tokens/key-ring.ts); `npx kinship keys rotate --secret-file` turns it into a ring with key ids.
    this.signingKey = new Secret(this, 'SigningKey', {
      description: 'Kinship: the key ring that signs links (key ids, one HKDF key per purpose) and keys customer ids',
      generateSecretString: { passwordLength: SIGNING_KEY_LENGTH, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        "The secret is a key ring for links already sitting in customers' inboxes (unsubscribe links must keep working for years). " +
        'Links carry a key id, so it is rotated by adding a key and making it current (npx kinship keys add/use, README "Rotating the ' +
        'signing key"), never by replacing it as a Secrets Manager rotation Lambda would, which would break every link in flight.',
    });
  }
}
