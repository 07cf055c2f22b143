import { describe, expect, it } from 'vitest';
import { leakIn, StatusTally } from '#bench/support/reliability.ts';

describe('what the reliability suite counts as a leaked error', () => {
  it('finds a stack frame, a source path and an "Error:" line in a response body', () => {
    expect(leakIn('TypeError: x is undefined\n    at handler (/work/main/functions/submit-form/handler.ts:12:5)')).toBe('stack frame');
    expect(leakIn('{"error":"failed in shared/capture/submit.ts:40"}')).toBe('source path');
    expect(leakIn('<p>SyntaxError: Unexpected token</p>')).toBe('error name');
    expect(leakIn('{"message":"Error: connect ECONNREFUSED 127.0.0.1:8000"}')).toBe('error name');
  });

  it('passes the pages and field errors the routes answer with', () => {
    expect(
      leakIn('{"error":{"code":"validation_failed","message":"Check the fields","issues":[{"field":"email","message":"Enter an email address"}]}}'),
    ).toBeUndefined();
    expect(leakIn('<!doctype html><html lang="is"><p>Netfangið þitt er staðfest</p></html>')).toBeUndefined();
    expect(leakIn('<title>Error: Tell Norðurljós Outdoor about your purchase</title>')).toBeUndefined();
  });

  it('counts every status per route and keeps 5xx examples', () => {
    const tally = new StatusTally();
    tally.record('POST /x', 201, '{}');
    tally.record('POST /x', 503, 'busy');
    tally.record('GET /y', 400, 'Error: no');
    expect(tally.statuses()).toEqual({ 201: 1, 503: 1, 400: 1 });
    expect(tally.serverErrorCount).toBe(1);
    expect(tally.serverErrors).toEqual([{ route: 'POST /x', status: 503, example: ' → busy' }]);
    expect(tally.leakCount).toBe(1);
  });
});
