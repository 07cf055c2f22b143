/**
 * When an address stops getting email. Pure decisions; record-email-event.ts writes them.
 *  - A hard bounce (Permanent) or a complaint suppresses at once: mailbox providers and SES judge a sender by
 *    them, and SES pauses accounts whose bounce or complaint rate stays high.
 *  - Soft bounces (Transient, Undetermined: a full mailbox, a server down) may pass, so only `softBounceLimit` of
 *    them in a row suppress; a delivery in between resets the streak.
 */
export type SuppressionReason = 'bounce' | 'complaint';

export type DeliveryOutcome =
  | { kind: 'delivery' }
  | { kind: 'bounce'; bounceType: 'Permanent' | 'Transient' | 'Undetermined' }
  | { kind: 'complaint' }
  | { kind: 'other' };

export interface SuppressionState {
  /** Soft bounces in a row so far. */
  softBounceStreak: number;
  /** Already suppressed (then nothing is suppressed again, and the first reason stays). */
  suppressedReason: SuppressionReason | undefined;
}

export interface SuppressionDecision {
  /** Suppress now, for this reason. */
  suppress: SuppressionReason | undefined;
  /** The streak after this event; undefined leaves it as it is. */
  softBounceStreak: number | undefined;
  /** Withdraw marketing consent (a complaint: the customer said they do not want it). */
  withdrawConsent: boolean;
}

export function decideSuppression(outcome: DeliveryOutcome, state: SuppressionState, softBounceLimit: number): SuppressionDecision {
  const fresh = (reason: SuppressionReason) => (state.suppressedReason === undefined ? reason : undefined);
  switch (outcome.kind) {
    case 'delivery':
      return { suppress: undefined, softBounceStreak: state.softBounceStreak === 0 ? undefined : 0, withdrawConsent: false };
    case 'complaint':
      return { suppress: fresh('complaint'), softBounceStreak: undefined, withdrawConsent: true };
    case 'bounce': {
      if (outcome.bounceType === 'Permanent') return { suppress: fresh('bounce'), softBounceStreak: undefined, withdrawConsent: false };
      const streak = state.softBounceStreak + 1;
      return { suppress: streak >= softBounceLimit ? fresh('bounce') : undefined, softBounceStreak: streak, withdrawConsent: false };
    }
    case 'other':
      return { suppress: undefined, softBounceStreak: undefined, withdrawConsent: false };
  }
}
