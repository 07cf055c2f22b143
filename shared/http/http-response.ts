import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { KinshipError, RateLimitedError, UnprocessableError, ValidationError } from '#shared/errors.ts';
import { logger } from '#shared/logger.ts';

export type HttpResult = Exclude<APIGatewayProxyResultV2, string>;

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...securityHeaders, ...headers }, body: JSON.stringify(body) };
}

/**
 * The one place typed errors become HTTP responses: 4xx with a code, a message and field issues;
 * anything unexpected is logged and becomes a plain 500 without internals.
 */
export function errorResponse(error: unknown): HttpResult {
  if (error instanceof KinshipError) {
    const issues = error instanceof ValidationError || error instanceof UnprocessableError ? error.issues : undefined;
    const headers: Record<string, string> = error instanceof RateLimitedError ? { 'retry-after': String(error.retryAfterSeconds) } : {};
    return jsonResponse(error.status, { error: { code: error.code, message: error.message, ...(issues && issues.length > 0 ? { issues } : {}) } }, headers);
  }
  logger.error('unhandled error', { error: error instanceof Error ? { name: error.name, message: error.message } : String(error) });
  return jsonResponse(500, { error: { code: 'internal', message: 'Something went wrong on our side. Retry later; if it persists, contact the shop.' } });
}
