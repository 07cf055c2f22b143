import { describe, expect, it } from 'vitest';
import { decideSend, quietUntil, sendsInWindow, type RecipientState, type SendPolicy } from '#shared/campaigns/send-policy.ts';
import { MAX_SEND_BATCH, sendBatchSize } from '#shared/sending/send-batch-size.ts';

const policy: SendPolicy = { frequencyCap: { maxEmails: 2, perDays: 7 }, quietHours: { start: '21:00', end: '08:00' }, shopTimeZone: 'Atlantic/Reykjavik' };
const noon = new Date('2026-12-03T12:00:00Z');

function aRecipient(overrides: Partial<RecipientState> = {}): RecipientState {
  return { marketingConsent: true, unsubscribedAll: false, suppressed: undefined, recentSends: [], timeZone: undefined, ...overrides };
}

describe('decideSend', () => {
  it('sends to a consenting, unsuppressed customer under the cap outside quiet hours', () => {
    expect(decideSend(aRecipient(), policy, noon)).toEqual({ action: 'send' });
  });

  it('skips a customer without marketing consent', () => {
    expect(decideSend(aRecipient({ marketingConsent: false }), policy, noon)).toEqual({ action: 'skip', reason: 'no-consent' });
  });

  it('skips a suppressed address (bounce or complaint) even with consent', () => {
    expect(decideSend(aRecipient({ suppressed: 'complaint' }), policy, noon)).toEqual({ action: 'skip', reason: 'suppressed' });
  });

  it('skips a customer who already had the maximum number of emails in the rolling window', () => {
    const recentSends = ['2026-12-01T09:00:00Z', '2026-11-27T12:00:01Z'];
    expect(decideSend(aRecipient({ recentSends }), policy, noon)).toEqual({ action: 'skip', reason: 'frequency-cap' });
  });

  it('lets an email through once the oldest counted send leaves the window', () => {
    const recentSends = ['2026-12-01T09:00:00Z', '2026-11-26T12:00:00Z'];
    expect(decideSend(aRecipient({ recentSends }), policy, noon)).toEqual({ action: 'send' });
  });

  it("defers a send in quiet hours to the morning, in the recipient's own time zone", () => {
    // 20:00 UTC is 22:00 in Helsinki (UTC+2 in December): quiet until 08:00 Helsinki = 06:00 UTC next day.
    const evening = new Date('2026-12-03T20:00:00Z');
    expect(decideSend(aRecipient({ timeZone: 'Europe/Helsinki' }), policy, evening)).toEqual({
      action: 'defer',
      reason: 'quiet-hours',
      until: new Date('2026-12-04T06:00:00Z'),
    });
    // …while in Reykjavik (the shop's zone, UTC+0) it is only 20:00.
    expect(decideSend(aRecipient(), policy, evening)).toEqual({ action: 'send' });
  });
});

describe('decideSend for a service message', () => {
  const capped = { recentSends: ['2026-12-03T09:00:00Z', '2026-12-02T09:00:00Z', '2026-12-01T09:00:00Z'] };

  it('sends to a customer who never gave marketing consent', () => {
    expect(decideSend(aRecipient({ marketingConsent: false }), policy, noon, 'service')).toEqual({ action: 'send' });
  });

  it('is not held back by the marketing frequency cap (the same customer is capped for marketing)', () => {
    expect(decideSend(aRecipient(capped), policy, noon, 'marketing')).toEqual({ action: 'skip', reason: 'frequency-cap' });
    expect(decideSend(aRecipient(capped), policy, noon, 'service')).toEqual({ action: 'send' });
  });

  it('still skips a suppressed address', () => {
    expect(decideSend(aRecipient({ marketingConsent: false, suppressed: 'bounce' }), policy, noon, 'service')).toEqual({
      action: 'skip',
      reason: 'suppressed',
    });
  });

  it('still skips a customer who unsubscribed from every email, and so does marketing', () => {
    expect(decideSend(aRecipient({ unsubscribedAll: true }), policy, noon, 'service')).toEqual({ action: 'skip', reason: 'unsubscribed' });
    expect(decideSend(aRecipient({ unsubscribedAll: true }), policy, noon, 'marketing')).toEqual({ action: 'skip', reason: 'unsubscribed' });
  });

  it('does not wait out the marketing quiet hours', () => {
    const night = new Date('2026-12-03T23:00:00Z');
    expect(decideSend(aRecipient(), policy, night, 'marketing')).toMatchObject({ action: 'defer', reason: 'quiet-hours' });
    expect(decideSend(aRecipient(), policy, night, 'service')).toEqual({ action: 'send' });
  });
});

describe('sendsInWindow', () => {
  it('counts sends in (now − days, now], ignoring the future and unparseable values', () => {
    expect(sendsInWindow(['2026-12-03T12:00:00Z', '2026-11-26T12:00:00Z', '2026-11-26T12:00:01Z', '2026-12-04T00:00:00Z', 'garbage'], 7, noon)).toBe(2);
  });
});

describe('quietUntil', () => {
  const quiet = { start: '21:00', end: '08:00' };

  it('is undefined outside a window that wraps midnight', () => {
    expect(quietUntil(new Date('2026-12-03T20:59:00Z'), quiet, 'UTC')).toBeUndefined();
    expect(quietUntil(new Date('2026-12-03T08:00:00Z'), quiet, 'UTC')).toBeUndefined();
  });

  it('ends the next morning when inside the evening part, the same morning after midnight', () => {
    expect(quietUntil(new Date('2026-12-03T21:00:00Z'), quiet, 'UTC')).toEqual(new Date('2026-12-04T08:00:00Z'));
    expect(quietUntil(new Date('2026-12-04T03:30:00Z'), quiet, 'UTC')).toEqual(new Date('2026-12-04T08:00:00Z'));
  });

  it('handles a daytime window that does not wrap', () => {
    expect(quietUntil(new Date('2026-12-03T12:30:00Z'), { start: '12:00', end: '13:00' }, 'UTC')).toEqual(new Date('2026-12-03T13:00:00Z'));
  });

  it('uses the local clock across a daylight-saving change (Copenhagen, 29 March 2026)', () => {
    // 02:30 local on the night clocks spring forward is 00:30 UTC; 08:00 local (CEST, UTC+2) is 06:00 UTC.
    expect(quietUntil(new Date('2026-03-29T00:30:00Z'), quiet, 'Europe/Copenhagen')).toEqual(new Date('2026-03-29T06:00:00Z'));
  });
});

describe('sendBatchSize', () => {
  it('takes the biggest batch the table calls allow when the send rate drains it quickly', () => {
    expect(sendBatchSize(10, 2, 30)).toBe(MAX_SEND_BATCH);
    expect(sendBatchSize(1000, 2, 30)).toBe(MAX_SEND_BATCH);
  });

  it('shrinks the batch so pacing it takes at most half the timeout (the SES sandbox sends 1 email/s)', () => {
    expect(sendBatchSize(1, 2, 30)).toBe(7);
    // Paced at 0.5/s per consumer, 7 emails take 14 s of a 30 s timeout; 8 would take 16.
    expect(sendBatchSize(2, 2, 30)).toBe(15);
  });

  it('never asks for an empty batch', () => {
    expect(sendBatchSize(1, 50, 10)).toBe(1);
    expect(sendBatchSize(1, 0, 30)).toBe(15);
  });
});
