/**
 * Logs, metrics and traces for every handler: `observed()` is the one middleware stack each functions/* handler uses.
 *
 * - Logger: shared/logger.ts (structured JSON, Lambda context, `correlation_id`).
 * - Metrics: Powertools EMF in the namespace POWERTOOLS_METRICS_NAMESPACE (the stack sets it; default `Kinship`),
 *   flushed after each invocation. Only in Lambda (or with POWERTOOLS_METRICS_DISABLED=false): locally and in tests
 *   nothing is buffered or printed.
 * - Tracer: Powertools/X-Ray, loaded only in Lambda with POWERTOOLS_TRACE_ENABLED not `false` — elsewhere it is never
 *   even evaluated (its X-Ray SDK is the costliest import of the three, see README "Observability").
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import { logger } from '#shared/logger.ts';
import { correlationIdOfEvent, setCorrelationId } from '#shared/observability/correlation.ts';
import { DEFAULT_METRICS_NAMESPACE, SEND_REDELIVERIES, SERVICE_NAME, sendOutcomeMetric } from '#shared/observability/kinship-metrics.ts';

const inLambda = (): boolean => (process.env.AWS_EXECUTION_ENV ?? '').startsWith('AWS_Lambda_') && process.env.AWS_SAM_LOCAL !== 'true';

/** Read at each use (cheap), so an environment set after import — the local runtime's — is honoured. */
export function metricsEnabled(): boolean {
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
  return disabled === 'false' || (disabled !== 'true' && inLambda());
}

export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULT_METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/** Counts summed per invocation: one EMF value per metric however many events a run publishes (a segmenter run may publish a million). */
const counts = new Map<string, number>();

/** Adds `value` to the count `name` of this invocation (a no-op when metrics are off or the value is 0). */
export function countMetric(name: string, value = 1): void {
  if (value > 0 && metricsEnabled()) counts.set(name, (counts.get(name) ?? 0) + value);
}

/** Counts one send batch: each outcome (`EmailsSent`, `EmailsSkippedSuppressed`, …) and how many of its messages SQS had delivered before. */
export function countSendBatch(outcomes: Record<string, number>, receiveCounts: readonly (string | undefined)[]): void {
  for (const [outcome, count] of Object.entries(outcomes)) countMetric(sendOutcomeMetric(outcome), count);
  countMetric(SEND_REDELIVERIES, receiveCounts.filter((count) => Number(count ?? '1') > 1).length);
}

const tracingEnabled = process.env.POWERTOOLS_TRACE_ENABLED !== 'false' && inLambda();
/** The X-Ray tracer, in Lambda only (undefined locally, in tests and in the CLI). */
export const tracer: Tracer | undefined = tracingEnabled
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: SERVICE_NAME })
  : undefined;

/** Traces an AWS SDK v3 client's calls as X-Ray subsegments, where the client is created; returns it unchanged otherwise. */
export function traced<C>(client: C): C {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

const correlation: MiddlewareObj = {
  name: 'kinship-correlation-id',
  before: (request) => setCorrelationId(correlationIdOfEvent(request.event) ?? request.context.awsRequestId),
  after: () => setCorrelationId(undefined),
  onError: () => setCorrelationId(undefined),
};

/** Publishes this invocation's counts as one EMF line (nothing when none were counted). */
export function flushMetrics(): void {
  for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
  counts.clear();
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
const metricsFlush: MiddlewareObj = { name: 'kinship-metrics', after: flushMetrics, onError: flushMetrics };

/**
 * The middleware stack of every handler: Lambda context and a correlation id on each log line, the handler traced
 * (responses are not recorded: pages and exports carry personal data), the invocation's metrics flushed at the end.
 */
export function observed(): MiddlewareObj[] {
  return [
    injectLambdaContext(logger, { resetKeys: true }),
    correlation,
    ...(tracer ? [captureLambdaHandler(tracer, { captureResponse: false })] : []),
    metricsFlush,
  ];
}
