import { TooManyRequestsException, MessageRejected } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { classifySesFailure } from '#shared/email/ses-failure.ts';
import { createPacer } from '#shared/sending/pacer.ts';
import { createSesFaults, SesFaultsSchema, sesFaultsFromEnvironment } from '#local/ses-faults.ts';

const metadata = (httpStatusCode: number) => ({ httpStatusCode, attempts: 1, totalRetryDelay: 0 });

describe('classifySesFailure', () => {
  it('calls a 429 TooManyRequestsException throttled: nothing was sent', () => {
    expect(classifySesFailure(new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: metadata(429) }))).toBe('throttled');
  });

  it('calls a 4xx rejection rejected: nothing was sent', () => {
    expect(classifySesFailure(new MessageRejected({ message: 'Email address is not verified.', $metadata: metadata(400) }))).toBe('rejected');
  });

  it('calls a request timeout, a connection reset and a 5xx unknown: SES may have sent it', () => {
    expect(
      classifySesFailure(
        Object.assign(new Error('a request has exceeded the configured 10000 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
      ),
    ).toBe('unknown');
    expect(classifySesFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('unknown');
    expect(classifySesFailure(Object.assign(new Error('Internal failure'), { name: 'InternalFailure', $fault: 'server', $metadata: metadata(500) }))).toBe(
      'unknown',
    );
  });

  it('calls a refused connection and a plain error rejected: the request never reached SES', () => {
    expect(classifySesFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8005'), { code: 'ECONNREFUSED' }))).toBe('rejected');
    expect(classifySesFailure(new Error('worker killed'))).toBe('rejected');
  });
});

describe('pacer', () => {
  it('slows by 30% when SES throttles and climbs back with each send, never below a twentieth', async () => {
    const pacer = createPacer(100, { now: () => 0, sleep: async () => undefined });
    pacer.backOff();
    expect(pacer.currentRate()).toBeCloseTo(70);
    for (let i = 0; i < 20; i++) pacer.backOff();
    expect(pacer.currentRate()).toBe(5);
    for (let i = 0; i < 19; i++) await pacer.take();
    expect(pacer.currentRate()).toBe(100);
  });
});

describe('SES fault injection', () => {
  it('decides the same faults for the same seed whatever order the recipients come in, near the configured rates', () => {
    const settings = SesFaultsSchema.parse({ throttleRate: 0.3, timeoutRate: 0.02, seed: 7 });
    const recipients = Array.from({ length: 2_000 }, (_, i) => `c${i}@example.com`);
    const first = createSesFaults(settings);
    const second = createSesFaults(settings);
    const a = recipients.map((to) => first.decide([to]));
    const b = new Map([...recipients].reverse().map((to) => [to, second.decide([to])]));
    expect(recipients.map((to) => b.get(to))).toEqual(a);
    expect(first.counts().throttled / 2_000).toBeGreaterThan(0.26);
    expect(first.counts().throttled / 2_000).toBeLessThan(0.34);
    expect(first.counts().timedOut).toBeGreaterThan(20);
    expect(first.counts().timedOut).toBeLessThan(70);
  });

  it('rolls again for the next attempt to a recipient, so a retried send is not throttled forever', () => {
    const faults = createSesFaults(SesFaultsSchema.parse({ throttleRate: 0.5, seed: 3 }));
    const outcomes = Array.from({ length: 40 }, () => faults.decide(['same@example.com']));
    expect(outcomes).toContain(undefined);
    expect(outcomes).toContain('throttle');
  });

  it('reads KINSHIP_SES_FAULTS at start and names the wrong field', () => {
    expect(sesFaultsFromEnvironment({ KINSHIP_SES_FAULTS: '{"throttleRate":0.3,"timeoutRate":0.02,"seed":7}' })).toMatchObject({
      throttleRate: 0.3,
      timeoutRate: 0.02,
      dropRate: 0,
      seed: 7,
    });
    expect(sesFaultsFromEnvironment({})).toBeUndefined();
    expect(() => sesFaultsFromEnvironment({ KINSHIP_SES_FAULTS: '{"timeoutRate":-1}' })).toThrow(/KINSHIP_SES_FAULTS: timeoutRate/);
    expect(() => sesFaultsFromEnvironment({ KINSHIP_SES_FAULTS: 'throttle please' })).toThrow(/must be JSON/);
  });
});
