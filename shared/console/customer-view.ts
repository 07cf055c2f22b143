import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CaseRecordSchema, type CaseRecord } from '#shared/cases/case-record.ts';
import { ContactSchema, type Contact } from '#shared/interactions/record-interaction.ts';
import { SURVEY_CHANNEL, SurveyAnswerSchema, type SurveyAnswer } from '#shared/interactions/survey-answer.ts';
import { profileFromItem, type CustomerProfile } from '#shared/profiles/customer-profile.ts';
import { exponential } from '#shared/runtime/retry.ts';
import { BATCH_GET_MAX, batchGetAll } from '#shared/table/batch-get.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';

type Item = Record<string, unknown>;

export interface OrderSummary {
  orderId: string;
  purchasedAt: string;
  totalMinor: number;
  currency: string;
  kind: string;
  lines: number;
}

export interface FormAnswers {
  orderId: string;
  submittedAt: string;
  satisfaction: number | undefined;
  satisfactionReason: string | undefined;
  whyChoseUs: string | undefined;
  interests: string[];
  confirmed: boolean;
}

export interface LedgerEntry {
  at: string;
  kind: string;
  source: string;
  marketing: boolean | undefined;
  wordingVersion: string | undefined;
}

export interface EmailEventEntry {
  at: string;
  eventType: string;
  messageId: string;
  campaignId: string | undefined;
  kind: string | undefined;
}

export interface SegmentEntry {
  segment: string;
  enteredAt: string;
  reason: string;
}

export interface ReferralEntry {
  referredId: string;
  at: string;
  orderId: string | undefined;
  referredName: string | undefined;
  referredNetSpendMinor: number;
  referredOrders: number;
  /** How the referrer was thanked: the referral-thank-you email's delivery events, if any. */
  thanked: EmailEventEntry[];
}

/** Everything the customer page shows, from one partition query, one index query and one batch read. */
export interface CustomerView {
  profile: CustomerProfile;
  phone: string | undefined;
  orders: OrderSummary[];
  answers: FormAnswers[];
  consent: LedgerEntry[];
  emailEvents: EmailEventEntry[];
  segments: SegmentEntry[];
  contacts: Contact[];
  /** The customer's answers to email surveys ("why did you stop buying?"): contacts of channel survey. */
  surveyAnswers: SurveyAnswer[];
  cases: CaseRecord[];
  referrals: ReferralEntry[];
}

/**
 * The form answers over time, newest first: every submission from the customer's answer history (a repeated form
 * is a row of its own), plus, for orders answered before the history was kept, the order's last submission.
 */
function answersOverTime(history: readonly Item[], orders: readonly OrderSummary[], relatedOf: (pk: string, sk: string) => Item | undefined): FormAnswers[] {
  const row = (orderId: string, submittedAt: string, answers: Item, submission: Item | undefined): FormAnswers => ({
    orderId,
    submittedAt,
    satisfaction: typeof answers.satisfaction === 'number' ? answers.satisfaction : undefined,
    satisfactionReason: str(answers, 'satisfactionReason'),
    whyChoseUs: str(answers, 'whyChoseUs'),
    interests: Array.isArray(answers.interests) ? answers.interests.filter((i): i is string => typeof i === 'string') : [],
    confirmed: submission !== undefined && str(submission, 'optInConfirmedAt') !== undefined,
  });
  const submissionOf = (orderId: string) => relatedOf(`ORDER#${orderId}`, 'SUBMISSION');
  const kept = history.map((item) => {
    const orderId = str(item, 'orderId') ?? '';
    return row(orderId, str(item, 'submittedAt') ?? '', isItem(item.answers) ? item.answers : {}, submissionOf(orderId));
  });
  const withHistory = new Set(kept.map((a) => a.orderId));
  const older = orders.flatMap((order): FormAnswers[] => {
    const item = submissionOf(order.orderId);
    if (!item || withHistory.has(order.orderId)) return [];
    return [row(order.orderId, str(item, 'submittedAt') ?? '', isItem(item.answers) ? item.answers : {}, item)];
  });
  return [...kept, ...older].sort((a, b) => b.submittedAt.localeCompare(a.submittedAt));
}

const str = (item: Item, key: string): string | undefined => (typeof item[key] === 'string' ? item[key] : undefined);
const num = (item: Item, key: string): number => (typeof item[key] === 'number' ? item[key] : 0);
const isItem = (value: unknown): value is Item => typeof value === 'object' && value !== null && !Array.isArray(value);
const sk = (item: Item): string => str(item, 'SK') ?? '';

/** At most this many orders on the page (newest); the aggregates cover all of them. */
const ORDER_LIMIT = 50;

/**
 * Reads one customer whole: the CUST# partition in one paginated Query (profile, consent ledger, segment
 * memberships, email events, contacts, case pointers, referrals all share it), the orders from GSI1, then one
 * BatchGet for the orders' form answers, the cases and the referred customers' profiles. Undefined when there is
 * no profile.
 */
export async function loadCustomerView(table: Table, customerId: string): Promise<CustomerView | undefined> {
  const [partition, orderItems] = await Promise.all([
    queryAll(table, { KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.ordersOfCustomer(customerId) } }),
    queryOrders(table, customerId),
  ]);
  const profileItem = partition.find((item) => sk(item) === 'PROFILE');
  if (!profileItem) return undefined;
  const byPrefix = (prefix: string) => partition.filter((item) => sk(item).startsWith(prefix));
  const newestFirst = (a: { at: string }, b: { at: string }) => b.at.localeCompare(a.at);

  const emailEvents = byPrefix(keys.emailEventPrefix)
    .map(
      (item): EmailEventEntry => ({
        at: str(item, 'at') ?? '',
        eventType: str(item, 'eventType') ?? '',
        messageId: str(item, 'messageId') ?? '',
        campaignId: str(item, 'campaignId'),
        kind: str(item, 'kind'),
      }),
    )
    .sort(newestFirst);
  const caseIds = byPrefix(keys.caseOfCustomerPrefix)
    .map((item) => str(item, 'caseId'))
    .filter((id): id is string => id !== undefined)
    .reverse();
  const referralItems = byPrefix(keys.referralPrefix);
  const history = byPrefix(keys.answerHistoryPrefix);
  const orders = orderItems.map(
    (item): OrderSummary => ({
      orderId: str(item, 'orderId') ?? '',
      purchasedAt: str(item, 'purchasedAt') ?? '',
      totalMinor: num(item, 'totalMinor'),
      currency: str(item, 'currency') ?? '',
      kind: str(item, 'kind') ?? 'purchase',
      lines: Array.isArray(item.lines) ? item.lines.length : 0,
    }),
  );

  const related = await batchGet(table, [
    ...orders.map((o) => keys.submission(o.orderId)),
    ...caseIds.map((id) => keys.staffCase(id)),
    ...referralItems.map((item) => keys.profile(str(item, 'referredId') ?? '')),
  ]);
  const relatedOf = (pk: string, skValue: string) => related.get(`${pk}|${skValue}`);

  return {
    profile: profileFromItem(profileItem),
    phone: str(profileItem, 'phone'),
    orders,
    answers: answersOverTime(history, orders, relatedOf),
    consent: byPrefix(keys.consentEntryPrefix)
      .map((item): LedgerEntry => {
        const marketing =
          typeof item.marketingConsent === 'boolean' ? item.marketingConsent : typeof item.marketingEmail === 'boolean' ? item.marketingEmail : undefined;
        return {
          at: str(item, 'at') ?? '',
          kind: str(item, 'kind') ?? '',
          source: str(item, 'source') ?? '',
          marketing,
          wordingVersion: str(item, 'wordingVersion'),
        };
      })
      .sort(newestFirst),
    emailEvents,
    segments: byPrefix(keys.segmentMembershipPrefix).map((item) => ({
      segment: str(item, 'segment') ?? sk(item).slice(keys.segmentMembershipPrefix.length),
      enteredAt: str(item, 'enteredAt') ?? '',
      reason: str(item, 'reason') ?? '',
    })),
    contacts: byPrefix(keys.contactPrefix)
      .filter((item) => item.channel !== SURVEY_CHANNEL)
      .map((item) => ContactSchema.parse(item))
      .sort((a, b) => b.recordedAt.localeCompare(a.recordedAt)),
    surveyAnswers: byPrefix(keys.contactPrefix)
      .filter((item) => item.channel === SURVEY_CHANNEL)
      .map((item) => SurveyAnswerSchema.parse(item))
      .sort((a, b) => b.recordedAt.localeCompare(a.recordedAt)),
    cases: caseIds.flatMap((id) => {
      const item = relatedOf(`CASE#${id}`, 'CASE');
      return item ? [CaseRecordSchema.parse(item)] : [];
    }),
    referrals: referralItems.map((item): ReferralEntry => {
      const referredId = str(item, 'referredId') ?? '';
      const referred = relatedOf(`CUST#${referredId}`, 'PROFILE');
      return {
        referredId,
        at: str(item, 'at') ?? '',
        orderId: str(item, 'orderId'),
        referredName: referred ? str(referred, 'customerName') : undefined,
        referredNetSpendMinor: referred ? num(referred, 'netSpendMinor') : 0,
        referredOrders: referred ? num(referred, 'orderCount') : 0,
        thanked: emailEvents.filter((e) => e.campaignId === 'referral-thank-you'),
      };
    }),
  };
}

async function queryAll(table: Table, input: { KeyConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> }): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.doc.send(new QueryCommand({ TableName: table.name, ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function queryOrders(table: Table, customerId: string): Promise<Item[]> {
  const result = await table.doc.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.ordersOfCustomer(customerId), ':prefix': 'ORDER#' },
      ScanIndexForward: false,
      Limit: ORDER_LIMIT,
    }),
  );
  return result.Items ?? [];
}

/** BatchGetItem in chunks of 100, all at once, retrying unprocessed keys; results by "PK|SK". */
async function batchGet(table: Table, wanted: { PK: string; SK: string }[]): Promise<Map<string, Item>> {
  const unique = [...new Map(wanted.map((k) => [`${k.PK}|${k.SK}`, k])).values()];
  const items = await batchGetAll(table, unique, {
    concurrency: Math.max(1, Math.ceil(unique.length / BATCH_GET_MAX)),
    attempts: 6,
    backoff: exponential(20),
    nextStep: 'reload the page',
  });
  return new Map(items.map((item) => [`${str(item, 'PK') ?? ''}|${str(item, 'SK') ?? ''}`, item]));
}
