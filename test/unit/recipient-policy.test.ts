import { describe, expect, it } from 'vitest';
import { CampaignSchema } from '#shared/campaigns/campaign-config.ts';
import type { SendPolicy } from '#shared/campaigns/send-policy.ts';
import { consentAddressOf } from '#shared/capture/consent.ts';
import { checkRecipient, recipientOf } from '#shared/sending/recipient-policy.ts';
import type { SendRequest } from '#shared/sending/send-request.ts';

const policy: SendPolicy = { frequencyCap: { maxEmails: 1, perDays: 7 }, quietHours: undefined, shopTimeZone: 'Atlantic/Reykjavik' };
const now = new Date('2026-12-03T12:00:00Z');
const winBack = CampaignSchema.parse({
  id: 'win-back',
  kind: 'triggered',
  trigger: { event: 'SegmentEntered', detail: { segment: ['lapsed'] } },
  exitIf: ['purchased-since-trigger'],
});
const request: SendRequest = { campaignId: 'win-back', occurrenceId: 'evt-1', customerId: 'k_1', triggeredAt: '2026-12-01T00:00:00.000Z' };

function aProfileItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const address = 'ann@example.com';
  return {
    customerId: 'k_1',
    confirmedEmail: address,
    marketingConsent: 'granted',
    marketingConsentAddress: consentAddressOf(address),
    sendVersion: 3,
    ...overrides,
  };
}

const check = (item: Record<string, unknown>, alreadyCounted = false) => checkRecipient(recipientOf(item), winBack, request, { policy, now, alreadyCounted });

describe('recipientOf: the profile item parsed once', () => {
  it('reads the sending attributes with their types', () => {
    const recipient = recipientOf(
      aProfileItem({ suppressedReason: 'bounce', unsubscribedAllAt: '2026-11-01T00:00:00Z', recentMarketingSends: ['2026-12-01T00:00:00Z'] }),
    );
    expect(recipient).toMatchObject({
      confirmedEmail: 'ann@example.com',
      suppressedReason: 'bounce',
      unsubscribedAllAt: '2026-11-01T00:00:00Z',
      recentMarketingSends: ['2026-12-01T00:00:00Z'],
      sendVersion: 3,
    });
    expect(recipient.profile.customerId).toBe('k_1');
  });

  it('reads a malformed attribute as absent instead of failing the send', () => {
    const recipient = recipientOf(
      aProfileItem({
        confirmedEmail: '',
        suppressedReason: 'typo',
        recentMarketingSends: ['2026-12-01T00:00:00Z', 7, null],
        sendVersion: 'three',
        unsubscribedAllAt: true,
      }),
    );
    expect(recipient).toMatchObject({
      confirmedEmail: undefined,
      suppressedReason: undefined,
      recentMarketingSends: ['2026-12-01T00:00:00Z'],
      sendVersion: 0,
      unsubscribedAllAt: undefined,
    });
  });
});

describe('checkRecipient', () => {
  it('clears a consenting recipient, naming the address and the consent it goes under', () => {
    expect(check(aProfileItem())).toEqual({ cleared: { address: 'ann@example.com', consentAddress: consentAddressOf('ann@example.com') } });
  });

  it('skips a recipient who bought after the trigger when the campaign exits on a purchase', () => {
    expect(check(aProfileItem({ lastPurchaseAt: '2026-12-02T00:00:00.000Z' }))).toEqual({ outcome: { outcome: 'skipped', reason: 'exited' } });
  });

  it('skips a profile with no confirmed address', () => {
    expect(check(aProfileItem({ confirmedEmail: undefined }))).toEqual({ outcome: { outcome: 'skipped', reason: 'no-address' } });
  });

  it('does not count consent given for another address', () => {
    expect(check(aProfileItem({ marketingConsentAddress: consentAddressOf('old@example.com') }))).toEqual({
      outcome: { outcome: 'skipped', reason: 'no-consent' },
    });
  });

  it('holds back a recipient at the frequency cap, unless the send was counted when first claimed', () => {
    const capped = aProfileItem({ recentMarketingSends: ['2026-12-02T00:00:00Z'] });
    expect(check(capped)).toEqual({ outcome: { outcome: 'skipped', reason: 'frequency-cap' } });
    expect(check(capped, true)).toMatchObject({ cleared: { address: 'ann@example.com' } });
  });

  it('defers a recipient-local send until their own clock shows the wall time', () => {
    const local = checkRecipient(
      recipientOf(aProfileItem({ country: 'DK' })),
      winBack,
      { ...request, localWallTime: '2026-12-03T14:00' },
      { policy, now, alreadyCounted: false },
    );
    expect(local).toEqual({ outcome: { outcome: 'deferred', reason: 'local-time', until: new Date('2026-12-03T13:00:00Z') } });
  });
});
