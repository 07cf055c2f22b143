import { describe, expect, inject, it } from 'vitest';
import { run } from '#bench/reliability/ses-faults.ts';

describe('reliability: SES throttling 30% and timing out 2% of calls (CI size)', () => {
  it('emails every recipient exactly once, settles every claim and keeps under the configured rate', { timeout: 420_000 }, async () => {
    const report = await run('ci', { dynamoDbEndpoint: inject('dynamodbEndpoint') });
    expect(report.violations).toEqual([]);
    // The faults really happened: throttles were put back and timed-out sends were held, then settled.
    expect(report.result).toMatchObject({ lost: 0, duplicated: 0, claimsNotSent: 0, deadLetters: 0 });
    expect(report.result.throttled).toEqual(expect.any(Number));
    expect(Number(report.result.throttled)).toBeGreaterThan(0);
    expect(Number(report.result.timedOut)).toBeGreaterThan(0);
  });
});
