import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { FunctionSpec, Topology } from '#shared/topology.ts';
import { grantAccess, type AccessResources } from './access-grants.ts';
import { functionErrorsAlarm } from './alarms.ts';
import type { ApiConstruct } from './api-construct.ts';
import { AppFunction } from './app-function.ts';
import { pascalCase } from './names.ts';
import { wireTriggers } from './triggers.ts';

export interface FunctionsConstructProps extends AccessResources {
  topology: Topology;
  api: ApiConstruct;
  /** Where each function's handler file is; the default is functions/<name>/handler.ts. */
  handlerEntry?: (spec: FunctionSpec) => string;
}

/**
 * One feature of the topology (`FunctionSpec['feature']`: purchases, capture, segmentation, campaigns, sending,
 * measurement, console, privacy) in the construct tree: the scope its functions are built in, and their list. It
 * builds nothing itself: FunctionsConstruct puts each function of the feature inside it with its role, log group,
 * grants, schedules, rules, queue subscription, dead-letter queue and errors alarm, all read from the topology.
 * HTTP routes go on the one shared API, and the queues, table and bus are the stack's own constructs.
 */
export class FeatureConstruct extends Construct {
  readonly functions = new Map<string, AppFunction>();
}

export class FunctionsConstruct extends Construct {
  readonly functions = new Map<string, AppFunction>();
  readonly features = new Map<FunctionSpec['feature'], FeatureConstruct>();

  constructor(scope: Construct, id: string, props: FunctionsConstructProps) {
    super(scope, id);
    for (const spec of props.topology.functions) {
      let owner = this.features.get(spec.feature);
      if (!owner) {
        owner = new FeatureConstruct(this, pascalCase(spec.feature));
        this.features.set(spec.feature, owner);
      }
      const feature = new Construct(owner, pascalCase(spec.name));
      const fn = new AppFunction(feature, 'Function', {
        spec,
        entry: props.handlerEntry?.(spec),
        environment: {
          // Names, not secrets: every handler may build its clients at module scope. IAM decides what it may do.
          TABLE_NAME: props.data.table.tableName,
          EVENT_BUS_NAME: props.data.bus.eventBusName,
          PUBLIC_BASE_URL: props.api.url,
        },
      });
      grantAccess(fn, spec, props);
      wireTriggers(feature, fn, spec, { api: props.api, bus: props.data.bus, queues: props.queues });
      functionErrorsAlarm(feature, 'ErrorsAlarm', fn, spec.name);
      acknowledgeFunctionBaseline(fn);
      this.functions.set(spec.name, fn);
      owner.functions.set(spec.name, fn);
    }
  }
}

/** The two cdk-nag findings every Kinship function has by design. */
function acknowledgeFunctionBaseline(fn: AppFunction): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions::AwsSolutions-L1',
    reason:
      'Pinned to nodejs22.x on purpose: the handlers, their dependencies (middy 6, Powertools 2) and the test suite are verified on Node 22 ' +
      'and Node 20; moving to a newer runtime is a deliberate upgrade, not a side effect of a cdk-lib bump.',
  });
  Validations.of(fn.role ?? fn).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      'Added by Tracing.ACTIVE: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions. ' +
      'test/infra asserts that these X-Ray actions are the only ones on "*".',
  });
}
