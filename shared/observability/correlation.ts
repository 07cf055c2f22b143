/**
 * One correlation id per chain of work: taken from the API request (`x-correlation-id`, else API Gateway's request
 * id) or from the triggering event, carried in every published event's `detail.metadata.correlationId` and in every
 * send-queue message body, and added to every log line written while it is current (shared/logger.ts).
 *
 * Scopes, not a global: in AWS one execution environment runs one invocation at a time, so the process-wide scope
 * is enough; the local runtime runs many handlers in one process at once and gives each invocation its own scope
 * (`runInInvocationScope`), and the sender gives each queued email its own (`withCorrelationId`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { isRecord } from '#shared/is-record.ts';

interface Scope {
  correlationId: string | undefined;
}

const scopes = new AsyncLocalStorage<Scope>();
const processScope: Scope = { correlationId: undefined };
const currentScope = (): Scope => scopes.getStore() ?? processScope;

/** The request header a caller may set to follow one purchase through the whole pipeline. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** Printable ids only, at most 128 characters: anything else (or an email address) is ignored, never logged. */
const SANE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function saneCorrelationId(value: unknown): string | undefined {
  return typeof value === 'string' && SANE_ID.test(value) ? value : undefined;
}

export function currentCorrelationId(): string | undefined {
  return currentScope().correlationId;
}

/** Sets the id of the current scope (the invocation's, set by shared/observability's middleware). */
export function setCorrelationId(id: string | undefined): void {
  currentScope().correlationId = id;
}

/** Runs `fn` in a fresh, empty scope: one per invocation when several run in one process (the local runtime). */
export function runInInvocationScope<T>(fn: () => T): T {
  return scopes.run({ correlationId: undefined }, fn);
}

/** Runs `fn` with `id` current (or the enclosing id when `id` is undefined): one queued email among a batch. */
export function withCorrelationId<T>(id: string | undefined, fn: () => T): T {
  return scopes.run({ correlationId: id ?? currentCorrelationId() }, fn);
}

/** The `metadata` every published event's detail carries (the event's own correlation id, else the current one); consumers' contracts ignore it (zod strips it). */
export function withEventMetadata(detail: Record<string, unknown>, correlationId = currentCorrelationId()): Record<string, unknown> {
  return correlationId === undefined ? detail : { ...detail, metadata: { correlationId } };
}

/**
 * The id an invocation continues, from what triggered it: an API Gateway request (the caller's header, else the
 * request id), an EventBridge event (its metadata, else the event id), a campaign rule's `{ campaignId, event }`,
 * or an SQS batch whose messages all carry the same id. Undefined for anything else (schedules): the caller falls
 * back to the Lambda request id.
 */
export function correlationIdOfEvent(event: unknown): string | undefined {
  if (!isRecord(event)) return undefined;
  const requestContext = event.requestContext;
  if (isRecord(requestContext) && typeof requestContext.requestId === 'string') {
    const headers = event.headers;
    return (isRecord(headers) ? saneCorrelationId(headers[CORRELATION_ID_HEADER]) : undefined) ?? saneCorrelationId(requestContext.requestId);
  }
  if (typeof event['detail-type'] === 'string') {
    const detail = event.detail;
    const metadata = isRecord(detail) ? detail.metadata : undefined;
    return (isRecord(metadata) ? saneCorrelationId(metadata.correlationId) : undefined) ?? saneCorrelationId(event.id);
  }
  if (typeof event.campaignId === 'string' && isRecord(event.event)) return correlationIdOfEvent(event.event);
  if (Array.isArray(event.Records)) {
    const ids = new Set(event.Records.map((record: unknown) => (isRecord(record) ? correlationIdOfMessage(record.body) : undefined)));
    const [only] = ids;
    return ids.size === 1 ? only : undefined;
  }
  return undefined;
}

/** The id a send-queue message body carries (see SendRequestSchema). */
export function correlationIdOfMessage(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return isRecord(parsed) ? saneCorrelationId(parsed.correlationId) : undefined;
  } catch {
    return undefined;
  }
}
