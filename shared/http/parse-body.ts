import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, type FieldIssue } from '#shared/errors.ts';

/** Lower-cased header lookup (API Gateway v2 lower-cases names already; the local server does the same). */
export function header(event: Pick<APIGatewayProxyEventV2, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The raw body as text, refusing bodies over the limit before anything else reads them. */
export function bodyText(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>, maxBytes: number): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.byteLength(raw, 'base64') : Buffer.byteLength(raw, 'utf8');
  if (bytes > maxBytes) throw new PayloadTooLargeError(`Request body is ${bytes} bytes; the limit is ${maxBytes} bytes`);
  return event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}

/** zod issues as field-level messages ("items.0.quantity: must be at least 1"). */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return { field: [base, ...issue.keys].filter(Boolean).join('.'), message: 'is not a known field' };
    }
    return { field: base || '(body)', message: issue.message };
  });
}

/** Parses a JSON request body against a schema: 415 for another content type, 413 when too big, 400 with field issues when invalid. */
export function parseJsonBody<T extends z.ZodType>(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>,
  schema: T,
  maxBytes: number,
): z.output<T> {
  const contentType = header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') throw new UnsupportedMediaTypeError(`Content-Type must be application/json (got ${contentType ?? 'none'})`);
  const text = bodyText(event, maxBytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ValidationError('The request body is not valid JSON', [{ field: '(body)', message: 'is not valid JSON' }]);
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new ValidationError('The request has invalid fields', fieldIssues(result.error));
  return result.data;
}
