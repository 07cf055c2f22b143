/** Builders of event details that keep their contract (each goes through the contract's `create`). */
import { ConsentGiven } from '#shared/events/consent-given.ts';
import { SegmentEntered } from '#shared/events/segment-entered.ts';

type Detail<F extends (...args: never[]) => unknown> = Parameters<F>[0];

export function aSegmentEnteredDetail(overrides: Partial<Detail<typeof SegmentEntered.create>> = {}): Record<string, unknown> {
  return SegmentEntered.create({
    customerId: 'c_1',
    segment: 'lapsed',
    reason: 'last purchase 121 days ago (lapsed after 90)',
    runId: 'run-1',
    asOf: '2026-11-30T20:00:00Z',
    ...overrides,
  }).detail;
}

export function aConsentGivenDetail(overrides: Partial<Detail<typeof ConsentGiven.create>> = {}): Record<string, unknown> {
  return ConsentGiven.create({
    customerId: 'c_1',
    orderId: 'ORD-1001',
    channel: 'email',
    marketingEmail: true,
    incentiveTerms: true,
    wordingVersion: 'w1',
    locale: 'en',
    source: 'form',
    consentedAt: '2026-11-30T20:00:00Z',
    ...overrides,
  }).detail;
}
