/**
 * Who may get a campaign email right now: the one decision the sender makes for every recipient before it
 * claims the send. Pure, so every rule is unit-tested; the sender feeds it what it read from the profile.
 *
 * Marketing: consent, suppression, the frequency cap, quiet hours. Service (service recovery, a referral
 * thank-you): no consent needed and no cap or quiet hours — yet never to a suppressed address nor to one that
 * unsubscribed from every email.
 */
import type { MessagePurpose } from '#shared/campaigns/campaign-config.ts';
import { firstInstantAtOrAfter, wallTimeAt } from '#shared/schedule/zoned-time.ts';

export interface FrequencyCap {
  maxEmails: number;
  perDays: number;
}

export interface QuietHours {
  /** "21:00" — local wall time the quiet window starts. */
  start: string;
  /** "08:00" — local wall time it ends (may be on the next day). */
  end: string;
}

export interface RecipientState {
  /** The customer confirmed marketing email (double opt-in) and has not withdrawn it. */
  marketingConsent: boolean;
  /** The customer asked for no email at all (the "stop all email" link of a service email): not even service messages. */
  unsubscribedAll: boolean;
  /** Hard bounce or complaint: never email this address again (until an operator clears it). */
  suppressed: 'bounce' | 'complaint' | undefined;
  /** ISO times of the marketing emails already sent to this customer (newest first or any order). */
  recentSends: readonly string[];
  /** The recipient's IANA time zone if known; otherwise the shop's. */
  timeZone: string | undefined;
}

export type SendDecision =
  | { action: 'send' }
  | { action: 'skip'; reason: 'no-consent' | 'suppressed' | 'unsubscribed' | 'frequency-cap' }
  | { action: 'defer'; reason: 'quiet-hours'; until: Date };

export interface SendPolicy {
  frequencyCap: FrequencyCap;
  quietHours: QuietHours | undefined;
  shopTimeZone: string;
}

const DAY_MS = 86_400_000;

/**
 * Marketing consent counts only for the address it was given for: the profile's consent is granted and its
 * `marketingConsentAddress` is the key of the address the email would go to (the confirmed one). A consent given
 * for an address the customer has since replaced does not follow them to the new one.
 */
export function consentCoversAddress(profile: { marketingConsent?: unknown; marketingConsentAddress?: unknown }, addressKey: string | undefined): boolean {
  return profile.marketingConsent === 'granted' && addressKey !== undefined && profile.marketingConsentAddress === addressKey;
}

export function decideSend(recipient: RecipientState, policy: SendPolicy, now: Date, purpose: MessagePurpose = 'marketing'): SendDecision {
  if (purpose === 'service') {
    if (recipient.suppressed) return { action: 'skip', reason: 'suppressed' };
    if (recipient.unsubscribedAll) return { action: 'skip', reason: 'unsubscribed' };
    return { action: 'send' };
  }
  if (!recipient.marketingConsent) return { action: 'skip', reason: 'no-consent' };
  if (recipient.suppressed) return { action: 'skip', reason: 'suppressed' };
  if (recipient.unsubscribedAll) return { action: 'skip', reason: 'unsubscribed' };
  if (sendsInWindow(recipient.recentSends, policy.frequencyCap.perDays, now) >= policy.frequencyCap.maxEmails)
    return { action: 'skip', reason: 'frequency-cap' };
  if (policy.quietHours) {
    const until = quietUntil(now, policy.quietHours, recipient.timeZone ?? policy.shopTimeZone);
    if (until) return { action: 'defer', reason: 'quiet-hours', until };
  }
  return { action: 'send' };
}

/** Sends in the rolling window (now − perDays, now]. */
export function sendsInWindow(sends: readonly string[], perDays: number, now: Date): number {
  const from = now.getTime() - perDays * DAY_MS;
  return sends.filter((iso) => {
    const at = Date.parse(iso);
    return at > from && at <= now.getTime();
  }).length;
}

function minutesOf(clock: string): number {
  const [hours = 0, minutes = 0] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}

/**
 * When the quiet window that contains `now` ends (the first instant the local clock shows `end`), or undefined
 * when `now` is outside it. A window may wrap midnight (21:00–08:00). If `end` falls in a DST gap, the next
 * minute that exists is used; if the clocks show it twice, the first showing after `now`.
 */
export function quietUntil(now: Date, quiet: QuietHours, timeZone: string): Date | undefined {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return undefined;
  const wall = wallTimeAt(now.getTime(), timeZone);
  const minute = wall.hour * 60 + wall.minute;
  const wraps = start > end;
  const inside = wraps ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return undefined;
  // The end is today, unless the window wrapped and we are in its evening part.
  const endsTomorrow = wraps && minute >= start;
  const day = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + (endsTomorrow ? 1 : 0)));
  const until = firstInstantAtOrAfter(
    { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: Math.floor(end / 60), minute: end % 60 },
    timeZone,
    now.getTime(),
  );
  return until === undefined ? undefined : new Date(until);
}
