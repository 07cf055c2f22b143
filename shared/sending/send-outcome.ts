/** Why a queued email was not sent and never will be (for this occurrence). */
export type SkipReason =
  | 'no-consent'
  | 'suppressed'
  | 'unsubscribed'
  | 'frequency-cap'
  | 'exited'
  | 'duplicate'
  | 'held-out'
  | 'unknown-customer'
  | 'unknown-campaign'
  | 'disabled'
  | 'no-address';

/** What became of one queued email: the send queue's consumer maps each to an SQS result. */
export type SendOutcome =
  | { outcome: 'sent'; messageId: string }
  | { outcome: 'skipped'; reason: SkipReason }
  | { outcome: 'deferred'; until: Date; reason: 'not-before' | 'quiet-hours' | 'local-time' }
  /** Another worker holds the claim: try again after `until`. */
  | { outcome: 'busy'; until: Date }
  /** SES may have sent it (the call timed out): held until an SES event settles it or the lease ends at `until`. */
  | { outcome: 'unknown'; until: Date };
