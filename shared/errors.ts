/** A problem with one input field, reported back to the caller by name. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Base of the typed errors that handlers map to HTTP responses in one place (errorResponse in shared/http/http-response.ts). */
export abstract class KinshipError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
}

export class ValidationError extends KinshipError {
  readonly status = 400;
  readonly code = 'validation_failed';
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

/** The request is well formed but breaks a business rule (unknown currency, total mismatch, ...). */
export class UnprocessableError extends KinshipError {
  readonly status = 422;
  readonly code = 'unprocessable';
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

export class NotFoundError extends KinshipError {
  readonly status = 404;
  readonly code = 'not_found';
}

export class ConflictError extends KinshipError {
  readonly status = 409;
  readonly code = 'conflict';
}

export class PayloadTooLargeError extends KinshipError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends KinshipError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

export class RateLimitedError extends KinshipError {
  readonly status = 429;
  readonly code = 'rate_limited';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
