/**
 * What a failed SES call says about the email. SES has no idempotency key, so the sender must know whether the
 * email may already be out before it lets anyone send it again:
 *
 *   throttled — SES answered 429 / TooManyRequestsException (or a sending quota): nothing was sent; retry later, slower.
 *   rejected  — SES (or the SDK, before any byte left) refused it: nothing was sent; the claim can be given back.
 *   unknown   — the request may have reached SES and we never saw its answer: a timeout after the request was
 *               written, a connection reset, a 5xx, or a 2xx whose body could not be read. It may be out.
 *
 * Anything that is not recognisably a network or server fault (a plain Error from a test double, a validation error
 * from the SDK) counts as rejected, so only what really may have been sent is held back.
 */
export type SesFailure = 'throttled' | 'rejected' | 'unknown';

/** Error names and codes SES and the SDK use when the sender must slow down. */
const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'LimitExceededException', 'SendingPausedException']);
/** Timeouts and broken connections of @smithy/node-http-handler and Node once the socket was open. */
const UNKNOWN_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);
const UNKNOWN_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET']);
/** The request never left: no connection was ever made. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function classifySesFailure(error: unknown): SesFailure {
  if (typeof error !== 'object' || error === null) return 'rejected';
  const name = stringField(error, 'name');
  const code = stringField(error, 'code') ?? stringField(Reflect.get(error, 'cause'), 'code');
  const status = statusOf(error);
  if ((name !== undefined && THROTTLING.has(name)) || status === 429) return 'throttled';
  if (code !== undefined && NOT_CONNECTED_CODES.has(code)) return 'rejected';
  // A connection timeout is also a TimeoutError: the SDK does not say whether the request was written, so assume it was.
  if ((name !== undefined && UNKNOWN_NAMES.has(name)) || (code !== undefined && UNKNOWN_CODES.has(code))) return 'unknown';
  if (status !== undefined && (status >= 500 || (status >= 200 && status < 300))) return 'unknown';
  if (stringField(error, '$fault') === 'server') return 'unknown';
  return 'rejected';
}

function statusOf(error: object): number | undefined {
  const metadata: unknown = Reflect.get(error, '$metadata');
  const fromMetadata: unknown = typeof metadata === 'object' && metadata !== null ? Reflect.get(metadata, 'httpStatusCode') : undefined;
  if (typeof fromMetadata === 'number') return fromMetadata;
  const response: unknown = Reflect.get(error, '$response');
  const fromResponse: unknown = typeof response === 'object' && response !== null ? Reflect.get(response, 'statusCode') : undefined;
  return typeof fromResponse === 'number' ? fromResponse : undefined;
}

function stringField(value: unknown, field: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found: unknown = Reflect.get(value, field);
  return typeof found === 'string' ? found : undefined;
}

/** SES throttled the send: nothing went out, the claim was given back and the message is retried after a back-off. */
export class SesThrottledError extends Error {
  override readonly name = 'SesThrottledError';
}
