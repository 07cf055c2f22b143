/**
 * Whether one recipient gets this campaign email now, decided over the profile item parsed once into a typed
 * recipient: the campaign's exit condition, "at this wall time in the recipient's zone", an address to send to,
 * then the send policy (consent, suppression, frequency cap, quiet hours). Pure: the sender reads, this decides.
 */
import * as z from 'zod';
import type { Campaign } from '#shared/campaigns/campaign-config.ts';
import { timeZoneOfCountry } from '#shared/campaigns/country-time-zone.ts';
import { consentCoversAddress, decideSend, type SendPolicy } from '#shared/campaigns/send-policy.ts';
import { consentAddressOf } from '#shared/capture/consent.ts';
import { profileFromItem, type CustomerProfile } from '#shared/profiles/customer-profile.ts';
import { firstInstantAtOrAfter, parseWallTime } from '#shared/schedule/zoned-time.ts';
import type { SendOutcome } from '#shared/sending/send-outcome.ts';
import type { SendRequest } from '#shared/sending/send-request.ts';

/** A value of the wrong type reads as absent, as it always has: a malformed attribute must not fail the send. */
const optionalText = z.string().optional().catch(undefined);

/** The profile item's attributes the sender decides on and conditions its claim on. */
const SendingFieldsSchema = z.object({
  confirmedEmail: z.string().min(1).optional().catch(undefined),
  marketingConsent: optionalText,
  marketingConsentAddress: optionalText,
  suppressedReason: z.enum(['bounce', 'complaint']).optional().catch(undefined),
  unsubscribedAllAt: optionalText,
  recentMarketingSends: z
    .array(z.unknown())
    .catch([])
    .transform((sends) => sends.filter((send): send is string => typeof send === 'string')),
  sendVersion: z.number().catch(0),
});
type SendingFields = z.output<typeof SendingFieldsSchema>;

/** One recipient as read from the profile item. */
export interface SendRecipient extends SendingFields {
  profile: CustomerProfile;
}

export function recipientOf(profileItem: Record<string, unknown>): SendRecipient {
  return { ...SendingFieldsSchema.parse(profileItem), profile: profileFromItem(profileItem) };
}

/** Cleared to send: to this address, under the consent given for it. */
export interface Cleared {
  address: string;
  consentAddress: string;
}

/**
 * `alreadyCounted`: the send is a claim taken over from a worker that died, and was counted against the frequency
 * cap when it was first made — so the cap is not checked again.
 */
export function checkRecipient(
  recipient: SendRecipient,
  campaign: Campaign,
  request: SendRequest,
  context: { policy: SendPolicy; now: Date; alreadyCounted: boolean },
): { outcome: SendOutcome } | { cleared: Cleared } {
  const { profile } = recipient;
  const { now } = context;
  if (
    campaign.kind === 'triggered' &&
    campaign.exitIf.includes('purchased-since-trigger') &&
    profile.lastPurchaseAt !== undefined &&
    profile.lastPurchaseAt > request.triggeredAt
  ) {
    return { outcome: { outcome: 'skipped', reason: 'exited' } };
  }
  const timeZone = timeZoneOfCountry(profile.country);
  const localAt = request.localWallTime && timeZone ? firstInstantAtOrAfter(parseWallTime(request.localWallTime), timeZone) : undefined;
  if (localAt !== undefined && localAt > now.getTime()) return { outcome: { outcome: 'deferred', until: new Date(localAt), reason: 'local-time' } };
  const address = recipient.confirmedEmail;
  if (address === undefined) return { outcome: { outcome: 'skipped', reason: 'no-address' } };
  const consentAddress = consentAddressOf(address);
  const decision = decideSend(
    {
      marketingConsent: consentCoversAddress(recipient, consentAddress),
      suppressed: recipient.suppressedReason,
      unsubscribedAll: recipient.unsubscribedAllAt !== undefined,
      recentSends: context.alreadyCounted ? [] : recipient.recentMarketingSends,
      timeZone,
    },
    context.policy,
    now,
    campaign.purpose,
  );
  if (decision.action === 'skip') return { outcome: { outcome: 'skipped', reason: decision.reason } };
  if (decision.action === 'defer') return { outcome: { outcome: 'deferred', until: decision.until, reason: decision.reason } };
  return { cleared: { address, consentAddress } };
}
