/**
 * Streaming aggregation for the report: each scanned item is turned into its compact row (or dropped — email
 * event items, consent entries, memberships, …) as it arrives, so only the rows the sections need stay in memory.
 */
import { field } from '#shared/table/item-field.ts';
import { EMAIL_COUNTERS, emptyReportData, zeroCounts, type ClaimRow, type EmailCounts, type OrderRow, type ReportData } from '#shared/reports/report-data.ts';

type Item = Record<string, unknown>;

export interface AccumulatorOptions {
  /** Which incentive type an order's form issues, from its spend per category (chooseIncentive over the config). */
  incentiveTypeOf?: (categoryMinor: Readonly<Record<string, number>>) => string;
}

/** The attributes the accumulator reads; the loader projects only these. */
export const REPORT_ATTRIBUTES = [
  'PK',
  'SK',
  'customerId',
  'orderId',
  'purchasedAt',
  'baseTotalMinor',
  'kind',
  'categoryMinor',
  'attribution',
  'formOpenedAt',
  'submittedAt',
  'optInConfirmedAt',
  'answers',
  'type',
  'code',
  'issuedAt',
  'redeemedAt',
  'campaignId',
  'occurrenceId',
  'status',
  'sentAt',
  'heldOutAt',
  'claimedAt',
  'deliveredAt',
  'bouncedAt',
  'complainedAt',
  'firstOpenedAt',
  'firstClickedAt',
  'recipients',
  'plannedAt',
  'asOf',
  'counts',
  'ans#heardFrom',
  ...EMAIL_COUNTERS,
] as const;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

function countsOf(item: Item): EmailCounts {
  const counts = zeroCounts();
  for (const name of EMAIL_COUNTERS) counts[name] = num(item[name]) ?? 0;
  return counts;
}

function numberRecord(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, v] of Object.entries(value)) if (typeof v === 'number') out[key] = v;
  return out;
}

export interface ReportAccumulator {
  add(item: Item): void;
  /** Items seen so far (kept or not). */
  readonly seen: number;
  finish(): ReportData;
}

export function createReportAccumulator(options: AccumulatorOptions = {}): ReportAccumulator {
  const data = emptyReportData();
  const incentiveTypeOf = options.incentiveTypeOf ?? (() => 'unknown');
  let seen = 0;

  const addOrder = (item: Item) => {
    const orderId = str(item.orderId);
    const customerId = str(item.customerId);
    const purchasedAt = Date.parse(str(item.purchasedAt) ?? '');
    const totalMinor = num(item.baseTotalMinor);
    if (orderId === undefined || customerId === undefined || Number.isNaN(purchasedAt) || totalMinor === undefined) return;
    const attribution = item.attribution;
    const campaignId = str(field(attribution, 'campaignId'));
    const occurrenceId = str(field(attribution, 'occurrenceId'));
    const row: OrderRow = {
      orderId,
      customerId,
      purchasedAt,
      totalMinor,
      kind: item.kind === 'refund' || totalMinor < 0 ? 'refund' : 'purchase',
      incentiveType: incentiveTypeOf(numberRecord(item.categoryMinor)),
      formOpened: str(item.formOpenedAt) !== undefined,
      attribution:
        campaignId !== undefined && occurrenceId !== undefined
          ? { campaignId, occurrenceId, revenueMinor: num(field(attribution, 'revenueMinor')) ?? totalMinor }
          : undefined,
    };
    data.orders.push(row);
  };

  const addClaim = (item: Item) => {
    const campaignId = str(item.campaignId);
    const occurrenceId = str(item.occurrenceId);
    const customerId = str(item.customerId);
    if (campaignId === undefined || occurrenceId === undefined || customerId === undefined) return;
    const status: ClaimRow['status'] = item.status === 'held-out' ? 'held-out' : item.status === 'sent' ? 'sent' : 'claimed';
    const at = Date.parse(str(status === 'sent' ? item.sentAt : status === 'held-out' ? item.heldOutAt : item.claimedAt) ?? '');
    if (Number.isNaN(at)) return;
    data.claims.push({
      campaignId,
      occurrenceId,
      customerId,
      status,
      at,
      delivered: item.deliveredAt !== undefined,
      bounced: item.bouncedAt !== undefined,
      complained: item.complainedAt !== undefined,
      opened: item.firstOpenedAt !== undefined,
      clicked: item.firstClickedAt !== undefined,
    });
  };

  const add = (item: Item) => {
    seen++;
    const pk = str(item.PK);
    const sk = str(item.SK);
    if (pk === undefined || sk === undefined) return;
    if (pk.startsWith('CUST#')) {
      // Profiles only; memberships, consent entries and email events share the partition and are dropped here.
      if (sk === 'PROFILE')
        data.profiles.push({ customerId: str(item.customerId) ?? pk.slice('CUST#'.length), heardFrom: str(field(item['ans#heardFrom'], 'value')) });
      return;
    }
    if (pk.startsWith('ORDER#')) {
      if (sk === 'ORDER') addOrder(item);
      else if (sk === 'SUBMISSION') {
        const orderId = str(item.orderId);
        const customerId = str(item.customerId);
        const submittedAt = str(item.submittedAt);
        if (orderId !== undefined && customerId !== undefined && submittedAt !== undefined) {
          data.submissions.push({
            orderId,
            customerId,
            submittedAt,
            confirmedAt: str(item.optInConfirmedAt),
            satisfaction: num(field(item.answers, 'satisfaction')),
          });
        }
      }
      return;
    }
    if (pk.startsWith('INCENTIVE#')) {
      const orderId = str(item.orderId);
      const type = str(item.type);
      const code = str(item.code);
      const issuedAt = str(item.issuedAt);
      if (orderId !== undefined && type !== undefined && code !== undefined && issuedAt !== undefined) data.incentives.push({ orderId, type, code, issuedAt });
      return;
    }
    if (pk.startsWith('CODE#')) {
      const redeemedAt = str(item.redeemedAt);
      if (redeemedAt !== undefined) data.redeemedCodes.push({ code: str(item.code) ?? pk.slice('CODE#'.length), redeemedAt });
      return;
    }
    if (pk.startsWith('SEND#')) return addClaim(item);
    if (pk === 'STATS#ALL') {
      if (sk.startsWith('DAY#')) data.dailyStats.push({ day: sk.slice('DAY#'.length), counts: countsOf(item) });
      return;
    }
    if (pk.startsWith('STATS#')) {
      const campaignId = str(item.campaignId) ?? pk.slice('STATS#'.length);
      const occurrenceId = str(item.occurrenceId) ?? (sk.startsWith('OCC#') ? sk.slice('OCC#'.length) : undefined);
      if (occurrenceId !== undefined) data.campaignStats.push({ campaignId, occurrenceId, counts: countsOf(item) });
      return;
    }
    if (pk.startsWith('OCC#')) {
      const recipients = num(item.recipients);
      const plannedAt = str(item.plannedAt);
      if (recipients !== undefined && plannedAt !== undefined)
        data.occurrences.push({
          campaignId: str(item.campaignId) ?? pk.slice('OCC#'.length),
          occurrenceId: str(item.occurrenceId) ?? sk,
          recipients,
          plannedAt,
        });
      return;
    }
    if (pk === 'SEGRUN') {
      const asOf = str(item.asOf);
      if (asOf !== undefined) data.segmenterRuns.push({ asOf, counts: numberRecord(item.counts) });
    }
  };

  return {
    add,
    get seen() {
      return seen;
    },
    finish: () => data,
  };
}
