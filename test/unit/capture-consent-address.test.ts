import { describe, expect, it } from 'vitest';
import { consentCoversAddress } from '#shared/campaigns/send-policy.ts';
import { consentAddressOf } from '#shared/capture/consent.ts';

describe('marketing consent belongs to the address it was given for', () => {
  const anna = consentAddressOf('anna@example.com');

  it('covers the address it was given for', () => {
    expect(consentCoversAddress({ marketingConsent: 'granted', marketingConsentAddress: anna }, anna)).toBe(true);
  });

  it('does not follow the customer to another confirmed address', () => {
    expect(consentCoversAddress({ marketingConsent: 'granted', marketingConsentAddress: anna }, consentAddressOf('anna.new@example.com'))).toBe(false);
  });

  it('is not consent without an address it was given for, when withdrawn, or with no address to send to', () => {
    expect(consentCoversAddress({ marketingConsent: 'granted' }, anna)).toBe(false);
    expect(consentCoversAddress({ marketingConsent: 'withdrawn', marketingConsentAddress: anna }, anna)).toBe(false);
    expect(consentCoversAddress({ marketingConsent: 'granted', marketingConsentAddress: anna }, undefined)).toBe(false);
  });

  it('keys an address as the sender normalizes it: case and surrounding space do not matter', () => {
    expect(consentAddressOf(' Anna@Example.COM ')).toBe(anna);
    expect(anna).toMatch(/^a_[0-9a-f]{32}$/);
    expect(JSON.stringify(anna)).not.toContain('anna');
  });
});
