import { describe, expect, it } from 'vitest';
import { summarizeEmail } from '#local/email-kind.ts';
import type { StoredEmail } from '#local/ses-emulator.ts';
import { customerIdForEmail } from '#shared/purchases/customer-id.ts';
import { listUnsubscribeHeaders, unsubscribeUrl } from '#shared/sending/unsubscribe-link.ts';

const key = 'k'.repeat(43);
const now = new Date('2026-12-03T10:00:00Z');
const anEmail = (overrides: Partial<StoredEmail> = {}): StoredEmail => ({
  messageId: 'm-1',
  destination: { to: ['anna@example.com'] },
  body: { text: 'Hello' },
  ...overrides,
});

describe('the terminal line of an email in the local inbox', () => {
  it('names the campaign from the signed unsubscribe link, and the customer by id only', () => {
    const headers = listUnsubscribeHeaders(
      unsubscribeUrl('http://localhost:3000', key, { customerId: 'c_abc', campaignId: 'win-back', scope: 'marketing', occurrenceId: 'evt-1' }, now),
    );
    const summary = summarizeEmail(anEmail({ headers }), key, now);
    expect(summary).toEqual({ kind: 'win-back', customerId: customerIdForEmail('anna@example.com', key), messageId: 'm-1' });
    expect(JSON.stringify(summary)).not.toContain('anna');
  });

  it('does not trust an unsubscribe link signed with another key', () => {
    const headers = listUnsubscribeHeaders(
      unsubscribeUrl('http://localhost:3000', 'x'.repeat(43), { customerId: 'c_abc', campaignId: 'win-back', scope: 'marketing', occurrenceId: 'evt-1' }, now),
    );
    expect(summarizeEmail(anEmail({ headers }), key, now).kind).toBe('service');
  });

  it('calls an email with a confirmation link an opt-in', () => {
    expect(summarizeEmail(anEmail({ body: { text: 'Confirm: http://localhost:3000/confirm?token=abc.def' } }), key, now).kind).toBe('opt-in');
  });
});
