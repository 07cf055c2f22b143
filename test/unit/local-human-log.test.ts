import { describe, expect, it } from 'vitest';
import { createHumanLog, humanLine } from '#local/human-log.ts';

// Local time, as the terminal shows it: 10:04:12 whatever the machine's time zone.
const at = new Date(2026, 11, 3, 10, 4, 12);

describe('npm start human log lines', () => {
  it('shows a request as time, route, status and duration', () => {
    expect(humanLine(at, 'info', 'http request', { method: 'POST', routeKey: 'POST /api/purchases', status: 201, durationMs: 38, requestId: 'r-1' })).toBe(
      '10:04:12  POST /api/purchases  201  38 ms',
    );
  });

  it('names a request no route matched without its path (paths can carry tokens)', () => {
    expect(humanLine(at, 'info', 'http request', { method: 'GET', routeKey: '$default', status: 404, durationMs: 2 })).toBe(
      '10:04:12  GET (no route)  404  2 ms',
    );
  });

  it('shows a bus delivery as detail-type, rule → function and duration, with retries only when there were some', () => {
    expect(
      humanLine(at, 'info', 'event delivered', {
        eventId: 'e',
        detailType: 'SegmentEntered',
        rule: 'campaign-win-back',
        functionName: 'plan-campaign',
        attempts: 1,
        durationMs: 12,
      }),
    ).toBe('10:04:12  event SegmentEntered  campaign-win-back → plan-campaign  12 ms');
    expect(humanLine(at, 'info', 'event delivered', { detailType: 'X', rule: 'r', functionName: 'f', attempts: 3, durationMs: 5 })).toBe(
      '10:04:12  event X  r → f  after 3 attempts  5 ms',
    );
  });

  it('shows an email by kind and customer id, and a schedule firing by name', () => {
    expect(humanLine(at, 'info', 'email sent', { kind: 'opt-in', customerId: 'c_1', messageId: 'm' })).toBe('10:04:12  email opt-in  → customer c_1');
    expect(humanLine(at, 'info', 'schedule fired', { schedule: 'segmenter', functionName: 'run-segmenter', scheduledTime: 'x', durationMs: 80 })).toBe(
      '10:04:12  schedule segmenter  → run-segmenter  80 ms',
    );
  });

  it('leaves out events no line is needed for, and shows problems with their level and details', () => {
    expect(humanLine(at, 'info', 'event published', { detailType: 'SegmentEntered', rules: [] })).toBeUndefined();
    expect(humanLine(at, 'warn', 'event delivery failed; retrying', { rule: 'r', attempts: 1 })).toBe(
      '10:04:12  WARN  event delivery failed; retrying  rule=r attempts=1',
    );
  });

  it('writes only what the level lets through, and the level can change once the start is done', () => {
    const lines: string[] = [];
    const log = createHumanLog({ write: (line) => lines.push(line), level: 'WARN', now: () => at });
    log.info('http request', { method: 'GET', routeKey: 'GET /form/{formToken}', status: 200, durationMs: 9 });
    log.error('function failed', { functionName: 'show-form' });
    log.setLevel('INFO');
    log.info('http request', { method: 'GET', routeKey: 'GET /form/{formToken}', status: 200, durationMs: 9 });
    log.debug('message sent', { queue: 'send-email' });
    expect(lines).toEqual(['10:04:12  ERROR  function failed  functionName=show-form', '10:04:12  GET /form/{formToken}  200  9 ms']);
  });
});
