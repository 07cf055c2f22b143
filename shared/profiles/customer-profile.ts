import { aggregatePrefix, answerPrefix } from '#shared/table/keys.ts';

/** The customer's latest satisfaction answer, from the incentive form or a staff interaction (1 = very unhappy … 5 = very happy). */
export interface LatestSatisfaction {
  score: number;
  at: string;
  source: 'form' | 'interaction';
}

/** The read model of one customer, assembled from the profile item. Money is base-currency minor units. */
export interface CustomerProfile {
  customerId: string;
  email: string | undefined;
  customerName: string | undefined;
  phone?: string | undefined;
  locale: string | undefined;
  country: string | undefined;
  currency: string | undefined;
  createdAt: string | undefined;
  updatedAt: string | undefined;
  firstPurchaseAt: string | undefined;
  lastPurchaseAt: string | undefined;
  orderCount: number;
  refundCount: number;
  itemCount: number;
  netSpendMinor: number;
  categorySpendMinor: Record<string, number>;
  monthlySpendMinor: Record<string, number>;
  /** Written by the capture flow; absent until the customer answers (or staff record an interaction). */
  latestSatisfaction: LatestSatisfaction | undefined;
  /** Customers who named this one as their referrer (0 when none). */
  referralCount: number;
  /** The form answers segments can use: per question the latest non-empty answer (absent on profiles read without them). */
  answers?: ProfileAnswers | undefined;
  /** The latest contact with staff (an interaction), ISO 8601. */
  lastContactAt?: string | undefined;
  /** Follow-up cases not closed yet (0 when none). */
  openCases?: number | undefined;
}

/** The profile's current answers to the form's questions (`ans#<field>.value`). */
export interface ProfileAnswers {
  heardFrom: string | undefined;
  ageBand: string | undefined;
  whyChoseUs: string | undefined;
  interests: string[];
}

export function profileFromItem(item: Record<string, unknown>): CustomerProfile {
  const str = (key: string) => (typeof item[key] === 'string' ? item[key] : undefined);
  const num = (key: string) => (typeof item[key] === 'number' ? item[key] : 0);
  const prefixed = (prefix: string) => {
    const out: Record<string, number> = {};
    for (const [key, value] of Object.entries(item)) if (key.startsWith(prefix) && typeof value === 'number') out[key.slice(prefix.length)] = value;
    return out;
  };
  return {
    customerId: str('customerId') ?? '',
    email: str('email'),
    customerName: str('customerName'),
    phone: str('phone'),
    locale: str('locale'),
    country: str('country'),
    currency: str('currency'),
    createdAt: str('createdAt'),
    updatedAt: str('updatedAt'),
    firstPurchaseAt: str('firstPurchaseAt'),
    lastPurchaseAt: str('lastPurchaseAt'),
    orderCount: num('orderCount'),
    refundCount: num('refundCount'),
    itemCount: num('itemCount'),
    netSpendMinor: num('netSpendMinor'),
    categorySpendMinor: prefixed(aggregatePrefix.category),
    monthlySpendMinor: prefixed(aggregatePrefix.month),
    latestSatisfaction: satisfactionOf(item.latestSatisfaction),
    referralCount: num('referralCount'),
    answers: {
      heardFrom: answerText(item[`${answerPrefix}heardFrom`]),
      ageBand: answerText(item[`${answerPrefix}ageBand`]),
      whyChoseUs: answerText(item[`${answerPrefix}whyChoseUs`]),
      interests: answerList(item[`${answerPrefix}interests`]),
    },
    lastContactAt: str('lastContactAt'),
    openCases: Math.max(0, num('openCases')),
  };
}

const answerValue = (stored: unknown): unknown => (typeof stored === 'object' && stored !== null ? Reflect.get(stored, 'value') : undefined);

function answerText(stored: unknown): string | undefined {
  const value = answerValue(stored);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function answerList(stored: unknown): string[] {
  const value = answerValue(stored);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Reads the `latestSatisfaction` map; anything malformed reads as "no answer" rather than failing the whole profile. */
export function satisfactionOf(value: unknown): LatestSatisfaction | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const score: unknown = Reflect.get(value, 'score');
  const at: unknown = Reflect.get(value, 'at');
  const source: unknown = Reflect.get(value, 'source');
  if (typeof score !== 'number' || !Number.isInteger(score) || score < 1 || score > 5 || typeof at !== 'string') return undefined;
  if (source !== 'form' && source !== 'interaction') return undefined;
  return { score, at, source };
}
