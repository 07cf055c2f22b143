/** Key builders for every item type in the single table. */
export const keys = {
  profile: (customerId: string) => ({ PK: `CUST#${customerId}`, SK: 'PROFILE' }),
  order: (orderId: string) => ({ PK: `ORDER#${orderId}`, SK: 'ORDER' }),
  ordersOfCustomer: (customerId: string) => `CUST#${customerId}`,
  orderByCustomer: (customerId: string, purchasedAt: string, orderId: string) => ({
    GSI1PK: `CUST#${customerId}`,
    GSI1SK: `ORDER#${purchasedAt}#${orderId}`,
  }),
  importJob: (importId: string) => ({ PK: `IMPORT#${importId}`, SK: 'JOB' }),
  /** The latest incentive-form answers for an order, with its double opt-in state (shares the order's partition). */
  submission: (orderId: string) => ({ PK: `ORDER#${orderId}`, SK: 'SUBMISSION' }),
  /** The one incentive of an order: written with attribute_not_exists, so it is issued exactly once. */
  incentive: (orderId: string) => ({ PK: `INCENTIVE#${orderId}`, SK: 'INCENTIVE' }),
  /** Reservation of a generated code (coupon, gift card, warranty certificate): makes codes unique across orders. */
  incentiveCode: (code: string) => ({ PK: `CODE#${code}`, SK: 'CODE' }),
  /** A pre-loaded pool code: `FREE#` until claimed, then moved to `CLAIMED#` in the issuing transaction. */
  poolPartition: (pool: string) => `POOL#${pool}`,
  poolFreeCode: (pool: string, code: string) => ({ PK: `POOL#${pool}`, SK: `FREE#${code}` }),
  poolClaimedCode: (pool: string, code: string) => ({ PK: `POOL#${pool}`, SK: `CLAIMED#${code}` }),
  /** Append-only consent ledger of a customer, one item per consent event, sorted by time. */
  consentEntry: (customerId: string, at: string, ref: string) => ({ PK: `CUST#${customerId}`, SK: `CONSENT#${at}#${ref}` }),
  consentEntryPrefix: 'CONSENT#',
  /** A referral edge (referrer → referred customer), written once so a referral is credited once. */
  referral: (referrerId: string, referredId: string) => ({ PK: `CUST#${referrerId}`, SK: `REFERRAL#${referredId}` }),
  referralPrefix: 'REFERRAL#',
  /**
   * A referrer named before they had a profile: their uncounted edges wait until a purchase or an import creates the
   * profile. One small partition (referrals to non-customers are rare), so an import finds them with one Query.
   */
  pendingReferrer: (referrerId: string) => ({ PK: 'REFPENDING', SK: `CUST#${referrerId}` }),
  pendingReferrerPartition: 'REFPENDING',
  /** One incentive-form submission's answers (every submission kept, newest last): the customer's answers over time. */
  answerHistory: (customerId: string, submittedAt: string, orderId: string) => ({ PK: `CUST#${customerId}`, SK: `ANSWERS#${submittedAt}#${orderId}` }),
  answerHistoryPrefix: 'ANSWERS#',
  /** A fixed-window request counter (TTL'd), e.g. submissions per hashed client IP. */
  rateLimit: (scope: string, subject: string, windowStart: number) => ({ PK: `RATE#${scope}#${subject}`, SK: `W#${windowStart}` }),
  /** A customer's membership of one segment (written by the segmenter only when it changes); shares the profile's partition. */
  segmentMembership: (customerId: string, segment: string) => ({ PK: `CUST#${customerId}`, SK: `SEG#${segment}` }),
  segmentMembershipPrefix: 'SEG#',
  /**
   * The membership index (GSI2, sparse: only membership items carry it). The partition key is sharded by a hash of the
   * customer id so a big segment's writes spread over SEGMENT_INDEX_SHARDS partitions; listing a segment queries every shard.
   */
  segmentMemberIndex: (segment: string, customerId: string) => ({ GSI2PK: segmentIndexPartition(segment, segmentIndexShard(customerId)), GSI2SK: customerId }),
  /** One record per segmenter run that changed memberships (counts per segment, entered/exited), newest last. */
  segmenterRunPartition: 'SEGRUN',
  segmenterRun: (startedAt: string, runId: string) => ({ PK: 'SEGRUN', SK: `RUN#${startedAt}#${runId}` }),
  /** One campaign email to one customer in one occurrence: claimed with a conditional write before SES is called. */
  sendClaim: (campaignId: string, occurrenceId: string, customerId: string) => ({ PK: `SEND#${campaignId}#${occurrenceId}`, SK: `CUST#${customerId}` }),
  sendClaimPartition: (campaignId: string, occurrenceId: string) => `SEND#${campaignId}#${occurrenceId}`,
  /** A send waiting for its time (a trigger's delay, quiet hours), bucketed by the hour it falls due. */
  dueSend: (hourBucket: string, dueAt: string, ref: string) => ({ PK: `DUE#${hourBucket}`, SK: `${dueAt}#${ref}` }),
  dueSendPartition: (hourBucket: string) => `DUE#${hourBucket}`,
  /** One planned newsletter occurrence (audience size, when planned), newest last: `campaigns diff` compares with it. */
  occurrence: (campaignId: string, occurrenceId: string) => ({ PK: `OCC#${campaignId}`, SK: occurrenceId }),
  occurrencePartition: (campaignId: string) => `OCC#${campaignId}`,
  /** Delivery counters of one campaign occurrence (ADD only): sent, delivered, bounced, opened … */
  campaignStats: (campaignId: string, occurrenceId: string) => ({ PK: `STATS#${campaignId}`, SK: `OCC#${occurrenceId}` }),
  /** The same counters over every email, per UTC day. */
  dailyEmailStats: (day: string) => ({ PK: 'STATS#ALL', SK: `DAY#${day}` }),
  /** One SES event of one customer's email, keyed by the event alone: a redelivered event is a failed put, counted once. */
  emailEvent: (customerId: string, at: string, eventType: string, messageId: string) => ({
    PK: `CUST#${customerId}`,
    SK: `EMAILEVT#${at}#${eventType}#${messageId}`,
  }),
  emailEventPrefix: 'EMAILEVT#',
  /** Why and when an address stopped receiving email (hard bounce, complaint, soft bounces in a row). */
  suppression: (customerId: string) => ({ PK: `SUPPRESS#${customerId}`, SK: 'SUPPRESSION' }),
  /** One staff contact with a customer, newest last; the interaction id keeps a replay from adding a second. */
  contact: (customerId: string, at: string, interactionId: string) => ({ PK: `CUST#${customerId}`, SK: `CONTACT#${at}#${interactionId}` }),
  contactPrefix: 'CONTACT#',
  /** Idempotency guard of POST /api/interactions: written with the contact in one transaction, once per interaction id. */
  interaction: (interactionId: string) => ({ PK: `INTERACTION#${interactionId}`, SK: 'INTERACTION' }),
  /** A follow-up case (an unhappy answer), its owner, handling and outcome. */
  staffCase: (caseId: string) => ({ PK: `CASE#${caseId}`, SK: 'CASE' }),
  /** The case list by status, oldest first (a small shop's cases fit one partition per status). */
  caseByStatus: (status: string, openedAt: string, caseId: string) => ({ PK: `CASES#${status}`, SK: `${openedAt}#${caseId}` }),
  caseStatusPartition: (status: string) => `CASES#${status}`,
  /** A pointer from the customer to each of their cases, for the customer page. */
  caseOfCustomer: (customerId: string, openedAt: string, caseId: string) => ({ PK: `CUST#${customerId}`, SK: `CASEREF#${openedAt}#${caseId}` }),
  caseOfCustomerPrefix: 'CASEREF#',
  /** One case per source answer (an order's form or an interaction), so a repeated form submission opens no second case. */
  caseSource: (source: string, ref: string) => ({ PK: `CASESRC#${source}#${ref}`, SK: 'CASESRC' }),
  /** Tombstone of an erased person, keyed by HMAC-SHA256(signing key, normalized address): time and counts only. */
  erasure: (addressHash: string) => ({ PK: `ERASED#${addressHash}`, SK: 'ERASURE' }),
} as const;

/** Attribute-name prefixes for the open-ended aggregates kept as top-level profile attributes. */
export const aggregatePrefix = {
  /** Net spend per product category, in base-currency minor units: `cat#<category>`. */
  category: 'cat#',
  /** Net spend per calendar month (UTC), in base-currency minor units: `mon#YYYY-MM`. */
  month: 'mon#',
} as const;

/** Profile attributes holding one form answer each (`ans#<field>` = { value, at, source, orderId }). */
export const answerPrefix = 'ans#';

/** Shards of a segment in the membership index (GSI2). Changing it needs a re-index: keep it fixed. */
export const SEGMENT_INDEX_SHARDS = 16;

export function segmentIndexPartition(segment: string, shard: number): string {
  return `SEG#${segment}#${String(shard).padStart(2, '0')}`;
}

/** A stable shard (0..SEGMENT_INDEX_SHARDS-1) for a customer id: FNV-1a over its characters. */
export function segmentIndexShard(customerId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) {
    hash ^= customerId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SEGMENT_INDEX_SHARDS;
}
