import { aggregatePrefix } from '#shared/table/keys.ts';
import type { ProfileDelta } from '#shared/purchases/profile-aggregates.ts';

/** What the writer last saw of the profile's order-time fields (absent for a new customer). */
export interface ProfileSnapshot {
  firstPurchaseAt?: string | undefined;
  lastPurchaseAt?: string | undefined;
  latestOrderAt?: string | undefined;
}

export interface UpdateParts {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * Builds one UpdateItem that applies a delta to a profile.
 *
 * Counters use ADD, so concurrent writers never lose an increment. DynamoDB has no min/max, so first/last
 * purchase dates (and whose name/locale wins) are SET only when the snapshot says this delta moves them,
 * guarded by a condition that the stored value has not moved past it meanwhile. Those fields only ever move
 * one way, so a failed condition just means "read again and retry" and the retry converges.
 */
export function buildProfileUpdate(
  delta: ProfileDelta,
  snapshot: ProfileSnapshot | undefined,
  options: { now: string; baseCurrency: string; extraCondition?: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> } },
): UpdateParts {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const adds: string[] = [];
  const conditions: string[] = [];
  let n = 0;
  const name = (attribute: string) => {
    const key = `#a${n++}`;
    names[key] = attribute;
    return key;
  };
  const value = (v: unknown) => {
    const key = `:v${n++}`;
    values[key] = v;
    return key;
  };
  const set = (attribute: string, v: unknown) => sets.push(`${name(attribute)} = ${value(v)}`);
  // Zero deltas are skipped, except for the core counters, which every profile carries from its first order on.
  const add = (attribute: string, v: number, always = false) => {
    if (v !== 0 || always) adds.push(`${name(attribute)} ${value(v)}`);
  };

  set('entityType', 'PROFILE');
  set('customerId', delta.customerId);
  set('currency', options.baseCurrency);
  set('updatedAt', options.now);
  const createdAt = name('createdAt');
  sets.push(`${createdAt} = if_not_exists(${createdAt}, ${value(options.now)})`);
  if (delta.email !== undefined) set('email', delta.email);

  const latest = delta.latestOrderAt;
  if (!snapshot?.latestOrderAt || latest >= snapshot.latestOrderAt) {
    const attr = name('latestOrderAt');
    const v = value(latest);
    sets.push(`${attr} = ${v}`);
    conditions.push(`(attribute_not_exists(${attr}) OR ${attr} <= ${v})`);
    if (delta.customerName !== undefined) set('customerName', delta.customerName);
    if (delta.phone !== undefined) set('phone', delta.phone);
    if (delta.locale !== undefined) set('locale', delta.locale);
    if (delta.country !== undefined) set('country', delta.country);
  } else {
    // Older than what the profile holds: fill identity fields only where they are still empty.
    for (const [attribute, v] of [
      ['customerName', delta.customerName],
      ['phone', delta.phone],
      ['locale', delta.locale],
      ['country', delta.country],
    ] as const) {
      if (v !== undefined) {
        const attr = name(attribute);
        sets.push(`${attr} = if_not_exists(${attr}, ${value(v)})`);
      }
    }
  }
  if (delta.lastPurchaseAt !== undefined && (!snapshot?.lastPurchaseAt || delta.lastPurchaseAt > snapshot.lastPurchaseAt)) {
    const attr = name('lastPurchaseAt');
    const v = value(delta.lastPurchaseAt);
    sets.push(`${attr} = ${v}`);
    conditions.push(`(attribute_not_exists(${attr}) OR ${attr} < ${v})`);
  }
  if (delta.firstPurchaseAt !== undefined && (!snapshot?.firstPurchaseAt || delta.firstPurchaseAt < snapshot.firstPurchaseAt)) {
    const attr = name('firstPurchaseAt');
    const v = value(delta.firstPurchaseAt);
    sets.push(`${attr} = ${v}`);
    conditions.push(`(attribute_not_exists(${attr}) OR ${attr} > ${v})`);
  }

  add('orderCount', delta.orderCount, true);
  add('refundCount', delta.refundCount, true);
  add('itemCount', delta.itemCount, true);
  add('netSpendMinor', delta.netSpendMinor, true);
  for (const [category, v] of Object.entries(delta.categoryMinor)) add(`${aggregatePrefix.category}${category}`, v);
  for (const [month, v] of Object.entries(delta.monthMinor)) add(`${aggregatePrefix.month}${month}`, v);

  if (options.extraCondition) {
    conditions.push(options.extraCondition.expression);
    Object.assign(names, options.extraCondition.names);
    Object.assign(values, options.extraCondition.values);
  }
  return {
    UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
    ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
