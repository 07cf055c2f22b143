/**
 * The pipeline's topology, declared once: which function serves which route, schedule, event rule or queue,
 * and what each may touch. The CDK stack (infra/) and the local runtime (local/) both read this, so the
 * deployed wiring and the local wiring cannot drift apart. Plain data: no CDK or runtime imports here.
 */

export type HttpMethod = 'GET' | 'POST';

export type Trigger =
  /** An API route. `apiKey` routes are for the shop's systems and staff: IAM-signed in AWS, `x-api-key` locally. */
  | { kind: 'http'; method: HttpMethod; path: string; auth: 'public' | 'apiKey' }
  /** A schedule, as an EventBridge Scheduler expression: `rate(1 hour)` or `cron(0 * * * ? *)`. */
  | { kind: 'schedule'; name: string; expression: string; timezone?: string }
  /** An EventBridge rule on the Kinship bus; `pattern` is a real EventBridge event pattern. */
  | { kind: 'event'; name: string; pattern: Record<string, unknown> }
  /** An SQS queue consumed in batches with partial batch failures. */
  | { kind: 'queue'; queue: string; batchSize: number };

/** What a function may touch; the stack turns each into a least-privilege grant, the local runtime ignores it. */
export interface Access {
  table?: 'read' | 'readWrite';
  publishEvents?: boolean;
  signingKey?: boolean;
  sendEmail?: boolean;
  sendToQueues?: string[];
}

export interface FunctionSpec {
  /** kebab-case; the handler lives at functions/<name>/handler.ts. */
  name: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  access: Access;
  triggers: Trigger[];
}

export interface QueueSpec {
  name: string;
  visibilityTimeoutSeconds: number;
  /** Deliveries before a message moves to the queue's dead-letter queue. */
  maxReceiveCount: number;
}

export interface Topology {
  functions: FunctionSpec[];
  queues: QueueSpec[];
}

export const topology: Topology = {
  functions: [
    {
      name: 'record-purchase',
      description: 'POST /api/purchases: records an order into the customer profile and returns the incentive-form link',
      memoryMb: 512,
      timeoutSeconds: 10,
      access: { table: 'readWrite', publishEvents: true, signingKey: true },
      triggers: [{ kind: 'http', method: 'POST', path: '/api/purchases', auth: 'apiKey' }],
    },
  ],
  queues: [],
};

export function handlerEntry(spec: Pick<FunctionSpec, 'name'>): string {
  return `functions/${spec.name}/handler.ts`;
}

export function httpRoutes(t: Topology = topology): { fn: FunctionSpec; route: Extract<Trigger, { kind: 'http' }> }[] {
  return t.functions.flatMap((fn) => fn.triggers.flatMap((route) => (route.kind === 'http' ? [{ fn, route }] : [])));
}
