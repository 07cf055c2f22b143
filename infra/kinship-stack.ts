import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { topology as defaultTopology, type FunctionSpec, type Topology } from '#shared/topology.ts';
import { ApiConstruct } from './api-construct.ts';
import { ConsoleConstruct, needsConsole } from './console-construct.ts';
import { OperationsDashboard } from './dashboard.ts';
import { DataConstruct } from './data-construct.ts';
import { EmailConstruct } from './email-construct.ts';
import { FunctionsConstruct } from './functions-construct.ts';
import { notifyOnAlarms } from './alarms.ts';
import { MeasurementConstruct } from './measurement-construct.ts';
import { QueuesConstruct } from './queues-construct.ts';

export interface KinshipStackProps extends StackProps {
  /** The wiring to deploy; defaults to shared/topology.ts. Tests pass a small one to exercise every trigger kind. */
  topology?: Topology;
  /** Where each function's handler file is; defaults to functions/<name>/handler.ts. */
  handlerEntry?: (spec: FunctionSpec) => string;
  /** The verified SES identity (domain or address) mail is sent from; required once a function sends email. */
  senderIdentity?: string;
  /** Who gets the StaffAlerts topic's emails (every alarm); default: context `kinship:staffAlertEmail`. */
  staffAlertEmail?: string;
}

/** Kinship in one stack: shared data, the HTTP API, queues, and every function of the topology wired to them. */
export class KinshipStack extends Stack {
  readonly data: DataConstruct;
  readonly api: ApiConstruct;
  readonly queues: QueuesConstruct;
  readonly functions: FunctionsConstruct;
  readonly measurement: MeasurementConstruct;
  /** The staff console's user pool and grants; absent when the topology has no console. */
  readonly console: ConsoleConstruct | undefined;
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: KinshipStackProps = {}) {
    super(scope, id, props);
    const topology = props.topology ?? defaultTopology;

    this.data = new DataConstruct(this, 'Data');
    this.api = new ApiConstruct(this, 'Api');
    this.queues = new QueuesConstruct(this, 'Queues', topology.queues);
    // SES resources only once something sends mail: until then no sender identity has to be verified.
    const sendsEmail = topology.functions.some((fn) => fn.access.sendEmail);
    const email = sendsEmail && props.senderIdentity ? new EmailConstruct(this, 'Email', { senderIdentity: props.senderIdentity }) : undefined;
    // Before the functions, so a function that notifies staff can be granted its StaffAlerts topic.
    const alertEmail: unknown = props.staffAlertEmail ?? this.node.tryGetContext('kinship:staffAlertEmail');
    this.measurement = new MeasurementConstruct(this, 'Measurement', {
      configurationSet: email?.configurationSet,
      staffAlertEmail: typeof alertEmail === 'string' && alertEmail !== '' ? alertEmail : undefined,
    });
    this.functions = new FunctionsConstruct(this, 'Functions', {
      topology,
      handlerEntry: props.handlerEntry,
      data: this.data,
      api: this.api,
      queues: this.queues,
      email,
    });

    // Staff sign-in (Cognito) and escalations to the StaffAlerts topic; the hosted sign-in's prefix from context.
    const domainPrefix: unknown = this.node.tryGetContext('kinship:cognitoDomainPrefix');
    this.console = needsConsole(topology)
      ? new ConsoleConstruct(this, 'Console', {
          topology,
          functions: this.functions.functions,
          apiUrl: this.api.url,
          domainPrefix: typeof domainPrefix === 'string' && domainPrefix !== '' ? domainPrefix : `kinship-${this.account}`,
          staffTopic: this.measurement.staffAlerts,
        })
      : undefined;
    // After every construct with a dead-letter queue: the dashboard charts each one's depth.
    this.dashboard = new OperationsDashboard(this, 'Operations', { functions: [...this.functions.functions.values()] });
    // Last, so every alarm of every construct above notifies the staff.
    notifyOnAlarms(this, this.measurement.staffAlerts);

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the Kinship HTTP API' });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName, description: 'The Kinship DynamoDB table' });
    new CfnOutput(this, 'EventBusName', { value: this.data.bus.eventBusName, description: 'The Kinship EventBridge bus' });
  }
}
