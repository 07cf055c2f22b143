import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionSpec, QueueSpec } from '#shared/topology.ts';
import { deadLetterAlarm } from './alarms.ts';
import { pascalCase } from './names.ts';

/** Dead letters are kept as long as SQS allows, so there is time to find the cause and redrive. */
const DEAD_LETTER_RETENTION = Duration.days(14);

const deadLetterQueues = new WeakSet<Queue>();

/** Whether deadLetterQueue() made this queue (infra/dashboard.ts charts the depth of every one). */
export function isDeadLetterQueue(queue: Queue): boolean {
  return deadLetterQueues.has(queue);
}

/** An encrypted, TLS-only queue for failed deliveries, with an alarm on its first message. */
export function deadLetterQueue(scope: Construct, id: string, what: string): Queue {
  const dlq = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: DEAD_LETTER_RETENTION,
  });
  deadLetterAlarm(scope, `${id}Alarm`, dlq, what);
  deadLetterQueues.add(dlq);
  return dlq;
}

/** The work queues of the topology, each with its own dead-letter queue and alarm. */
export class QueuesConstruct extends Construct {
  private readonly queues = new Map<string, { queue: Queue; spec: QueueSpec }>();

  constructor(scope: Construct, id: string, specs: readonly QueueSpec[]) {
    super(scope, id);
    for (const spec of specs) {
      const name = pascalCase(spec.name);
      const dlq = deadLetterQueue(this, `${name}Dlq`, `the dead-letter queue of ${spec.name}`);
      const queue = new Queue(this, name, {
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
      });
      this.queues.set(spec.name, { queue, spec });
    }
  }

  /** The queue the topology calls `name`; a typo in the topology fails the synth, naming the queue. */
  queue(name: string, usedBy: string): Queue {
    return this.entry(name, usedBy).queue;
  }

  /**
   * The queue a function consumes. Lambda refuses an event source whose queue's visibility timeout is shorter
   * than the function's timeout (a message would reappear while still being processed): fail the synth instead.
   */
  consumerQueue(name: string, consumer: FunctionSpec): Queue {
    const { queue, spec } = this.entry(name, consumer.name);
    if (spec.visibilityTimeoutSeconds < consumer.timeoutSeconds) {
      throw new Error(
        `shared/topology.ts: queue "${name}" has visibilityTimeoutSeconds ${spec.visibilityTimeoutSeconds}, shorter than the ` +
          `timeoutSeconds ${consumer.timeoutSeconds} of its consumer ${consumer.name}; raise it to at least ${consumer.timeoutSeconds} (AWS suggests 6x).`,
      );
    }
    return queue;
  }

  private entry(name: string, usedBy: string): { queue: Queue; spec: QueueSpec } {
    const entry = this.queues.get(name);
    if (!entry) {
      const known = [...this.queues.keys()].join(', ') || 'none';
      throw new Error(`shared/topology.ts: function ${usedBy} refers to queue "${name}", which is not in topology.queues (known: ${known})`);
    }
    return entry;
  }
}

/** Marks a queue as a dead-letter queue for cdk-nag, whose SQS3 rule only recognises SQS redrive targets. */
export function acknowledgeIsDeadLetterQueue(dlq: Queue, target: string): void {
  Validations.of(dlq).acknowledge({
    id: 'AwsSolutions::AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter queue of ${target}; a dead-letter queue of a dead-letter queue would only move the problem.`,
  });
}
