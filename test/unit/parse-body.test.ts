import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import { errorResponse } from '#shared/http/http-response.ts';
import { parseJsonBody } from '#shared/http/parse-body.ts';
import { PurchaseInput } from '#shared/purchases/purchase-input.ts';
import { aLineItem, aPurchase } from '#test/support/builders.ts';

const limit = 256 * 1024;
const event = (body: unknown, contentType = 'application/json') => ({
  headers: { 'content-type': contentType },
  body: typeof body === 'string' ? body : JSON.stringify(body),
  isBase64Encoded: false,
});

function issuesFor(body: unknown): FieldIssue[] {
  try {
    parseJsonBody(event(body), PurchaseInput, limit);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parsing a purchase request body', () => {
  it('accepts a valid purchase, with a charset in the content type', () => {
    expect(parseJsonBody(event(aPurchase(), 'application/json; charset=utf-8'), PurchaseInput, limit).orderId).toBe('ORD-1001');
  });

  it('names each missing required field', () => {
    const fields = issuesFor({})
      .map((i) => i.field)
      .sort();
    expect(fields).toEqual(['currency', 'customerEmail', 'items', 'orderId', 'purchasedAt', 'total']);
  });

  it('rejects a negative quantity on that line and explains how to record a refund', () => {
    const issues = issuesFor(aPurchase({ items: [aLineItem(), aLineItem({ quantity: -1 })] }));
    expect(issues).toEqual([{ field: 'items.1.quantity', message: 'must be at least 1 (record a refund as a negative price)' }]);
  });

  it('rejects a malformed email and an unparseable date by field', () => {
    const fields = issuesFor({ ...aPurchase(), customerEmail: 'not-an-email', purchasedAt: 'yesterday' })
      .map((i) => i.field)
      .sort();
    expect(fields).toEqual(['customerEmail', 'purchasedAt']);
  });

  it('rejects unknown fields so typos do not pass silently', () => {
    expect(issuesFor({ ...aPurchase(), totl: 1 })).toEqual([{ field: 'totl', message: 'is not a known field' }]);
  });

  it('rejects a body that is not JSON', () => {
    expect(issuesFor('{"orderId": ')).toEqual([{ field: '(body)', message: 'is not valid JSON' }]);
  });

  it('refuses another content type with 415', () => {
    expect(() => parseJsonBody(event(aPurchase(), 'text/plain'), PurchaseInput, limit)).toThrow(UnsupportedMediaTypeError);
  });

  it('refuses a 2 MB body with 413 before parsing it', () => {
    const huge = JSON.stringify({ ...aPurchase(), customerName: 'x'.repeat(2 * 1024 * 1024) });
    expect(() => parseJsonBody(event(huge), PurchaseInput, limit)).toThrow(PayloadTooLargeError);
  });
});

describe('mapping errors to responses', () => {
  it('gives a validation error status 400 with its field issues', () => {
    const response = errorResponse(new ValidationError('bad', [{ field: 'total', message: 'is required' }]));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(String(response.body))).toEqual({
      error: { code: 'validation_failed', message: 'bad', issues: [{ field: 'total', message: 'is required' }] },
    });
  });

  it('hides the details of an unexpected error behind a plain 500', () => {
    const response = errorResponse(new Error('connection string postgres://secret'));
    expect(response.statusCode).toBe(500);
    expect(String(response.body)).not.toContain('secret');
    expect(String(response.body)).not.toContain('at ');
  });
});
