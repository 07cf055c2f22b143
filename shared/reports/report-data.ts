/**
 * The compact rows the report is computed from, one type per item kind it reads. The loader keeps only these
 * (a few numbers and ids per item), so a table of a million-plus items fits in one Lambda's memory; every
 * section is a pure function of a ReportData.
 */

export interface ProfileRow {
  customerId: string;
  /** The form's "where did you hear of us" answer (`ans#heardFrom.value`), if given. */
  heardFrom: string | undefined;
}

export interface OrderRow {
  orderId: string;
  customerId: string;
  /** Epoch ms. */
  purchasedAt: number;
  /** Base-currency minor units; negative for a refund order. */
  totalMinor: number;
  kind: 'purchase' | 'refund';
  /** The incentive type this order's form would issue (from its categories and config/incentives.yaml). */
  incentiveType: string;
  /** Its incentive form was opened (GET /form records the first view on the order). */
  formOpened: boolean;
  attribution: { campaignId: string; occurrenceId: string; revenueMinor: number } | undefined;
}

export interface SubmissionRow {
  orderId: string;
  customerId: string;
  submittedAt: string;
  confirmedAt: string | undefined;
  satisfaction: number | undefined;
}

export interface IncentiveRow {
  orderId: string;
  type: string;
  code: string;
  issuedAt: string;
}

export interface RedeemedCodeRow {
  code: string;
  redeemedAt: string;
}

export interface ClaimRow {
  campaignId: string;
  occurrenceId: string;
  customerId: string;
  status: 'sent' | 'held-out' | 'claimed';
  /** Epoch ms of sentAt (sent), heldOutAt (held out) or claimedAt (not yet sent). */
  at: number;
  delivered: boolean;
  bounced: boolean;
  complained: boolean;
  opened: boolean;
  clicked: boolean;
}

export const EMAIL_COUNTERS = ['sent', 'delivered', 'bounced', 'complained', 'rejected', 'opened', 'clicked', 'unsubscribed'] as const;
export type EmailCounter = (typeof EMAIL_COUNTERS)[number];
export type EmailCounts = Record<EmailCounter, number>;

export interface CampaignStatsRow {
  campaignId: string;
  occurrenceId: string;
  counts: EmailCounts;
}

export interface DailyStatsRow {
  /** YYYY-MM-DD (UTC). */
  day: string;
  counts: EmailCounts;
}

export interface OccurrenceRow {
  campaignId: string;
  occurrenceId: string;
  recipients: number;
  plannedAt: string;
}

export interface SegmenterRunRow {
  asOf: string;
  counts: Record<string, number>;
}

export interface ReportData {
  profiles: ProfileRow[];
  orders: OrderRow[];
  submissions: SubmissionRow[];
  incentives: IncentiveRow[];
  redeemedCodes: RedeemedCodeRow[];
  claims: ClaimRow[];
  campaignStats: CampaignStatsRow[];
  dailyStats: DailyStatsRow[];
  occurrences: OccurrenceRow[];
  segmenterRuns: SegmenterRunRow[];
}

export function emptyReportData(): ReportData {
  return {
    profiles: [],
    orders: [],
    submissions: [],
    incentives: [],
    redeemedCodes: [],
    claims: [],
    campaignStats: [],
    dailyStats: [],
    occurrences: [],
    segmenterRuns: [],
  };
}

export function zeroCounts(): EmailCounts {
  return { sent: 0, delivered: 0, bounced: 0, complained: 0, rejected: 0, opened: 0, clicked: 0, unsubscribed: 0 };
}

/** The period a report covers: inclusive bounds in epoch ms (from may be open). */
export interface ReportRange {
  from: number | undefined;
  to: number;
}

export function inRange(range: ReportRange, at: number): boolean {
  return (range.from === undefined || at >= range.from) && at <= range.to;
}
