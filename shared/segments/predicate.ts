/**
 * Marketer-defined segment predicates over profile fields, as written in config/segments.yaml:
 *
 *     where:
 *       and:
 *         - { field: country, in: [IS, DK] }
 *         - { field: lastPurchaseAt, olderThanDays: 90 }
 *         - not: { field: satisfaction, exists: true }
 *
 * One zod schema (which also yields the editor's JSON Schema) and a compiler to a plain function. A value that
 * is missing matches only `exists: false`: every comparison, `in` and date test on it is false (and `not`
 * turns that into true, as in SQL's three-valued logic flattened to two).
 */
import * as z from 'zod';
import type { CustomerProfile } from '#shared/profiles/customer-profile.ts';

const DAY_MS = 86_400_000;

/** `list`: a set of values (interests); `eq`/`in` test membership, `ne` its absence. */
export type FieldType = 'number' | 'string' | 'date' | 'list';

/** The profile fields a predicate may name, with their type and what they mean (shown in the docs and JSON Schema). */
export const PREDICATE_FIELDS = {
  orderCount: { type: 'number', about: 'purchases (orders with a total ≥ 0)' },
  refundCount: { type: 'number', about: 'refund orders' },
  itemCount: { type: 'number', about: 'items bought, over all orders' },
  netSpendMinor: { type: 'number', about: 'net spend, base-currency minor units (refunds subtract)' },
  value12mMinor: { type: 'number', about: 'net spend in the trailing 12 calendar months (this month and the 11 before), minor units' },
  referralCount: { type: 'number', about: 'customers this one referred' },
  satisfaction: { type: 'number', about: 'latest satisfaction answer, 1 (very unhappy) … 5 (very happy)' },
  daysSinceLastPurchase: { type: 'number', about: 'whole days from the last purchase to the run' },
  daysSinceFirstPurchase: { type: 'number', about: 'whole days from the first purchase to the run' },
  locale: { type: 'string', about: 'BCP 47 locale, e.g. is or da-DK' },
  country: { type: 'string', about: 'ISO 3166-1 alpha-2 country code' },
  firstPurchaseAt: { type: 'date', about: 'first purchase (ISO 8601)' },
  lastPurchaseAt: { type: 'date', about: 'last purchase (ISO 8601)' },
  createdAt: { type: 'date', about: 'when the profile was created' },
  satisfactionAt: { type: 'date', about: 'when the latest satisfaction answer was given' },
  heardFrom: { type: 'string', about: 'form answer "where did you hear of us" (latest non-empty): search, social, friend, store, press, advert, event, other' },
  ageBand: { type: 'string', about: 'form answer age band (latest non-empty): under-18, 18-24, 25-34, 35-44, 45-54, 55-64, 65-plus' },
  whyChoseUs: { type: 'string', about: 'form answer "why did you choose us" (latest non-empty, free text)' },
  interests: { type: 'list', about: 'form answer interests (product categories, latest non-empty); eq / in: has that interest (any of them), ne: has not' },
  lastContactAt: { type: 'date', about: 'the latest contact with staff (an interaction)' },
  daysSinceLastContact: { type: 'number', about: 'whole days from the latest contact with staff to the run' },
  openCases: { type: 'number', about: 'follow-up cases not closed yet' },
} as const satisfies Record<string, { type: FieldType; about: string }>;

export type PredicateFieldName = keyof typeof PREDICATE_FIELDS;

/** `category.<id>`: net spend in that product category, minor units. */
const CATEGORY_FIELD = /^category\.([a-z0-9][a-z0-9-]{0,63})$/;

function isFieldName(name: string): name is PredicateFieldName {
  return Object.hasOwn(PREDICATE_FIELDS, name);
}

export function fieldType(name: string): FieldType | undefined {
  if (isFieldName(name)) return PREDICATE_FIELDS[name].type;
  return CATEGORY_FIELD.test(name) ? 'number' : undefined;
}

function dateFields(): string[] {
  return Object.entries(PREDICATE_FIELDS).flatMap(([name, spec]) => (spec.type === 'date' ? [name] : []));
}

const FieldName = z
  .string()
  .refine((name) => fieldType(name) !== undefined, {
    error: (issue) => `unknown field "${String(issue.input)}": use one of ${Object.keys(PREDICATE_FIELDS).join(', ')} or category.<id>`,
  })
  .describe(`A profile field: ${Object.keys(PREDICATE_FIELDS).join(', ')}, or category.<id> (net spend in a product category)`);
const Scalar = z.union([z.number(), z.string()]);
const Days = z.number().int().min(0).max(36_500);

export type Comparison = { field: string } & (
  | { eq: number | string }
  | { ne: number | string }
  | { gt: number | string }
  | { gte: number | string }
  | { lt: number | string }
  | { lte: number | string }
);
export type Predicate =
  | { and: Predicate[] }
  | { or: Predicate[] }
  | { not: Predicate }
  | Comparison
  | { field: string; in: (number | string)[] }
  | { field: string; exists: boolean }
  | { field: string; olderThanDays: number }
  | { field: string; withinDays: number };

export const PredicateSchema: z.ZodType<Predicate> = z.lazy(() =>
  z.union([
    z.strictObject({ and: z.array(PredicateSchema).min(1) }).describe('every condition holds'),
    z.strictObject({ or: z.array(PredicateSchema).min(1) }).describe('at least one condition holds'),
    z.strictObject({ not: PredicateSchema }).describe('the condition does not hold'),
    z.strictObject({ field: FieldName, eq: Scalar }),
    z.strictObject({ field: FieldName, ne: Scalar }),
    z.strictObject({ field: FieldName, gt: Scalar }),
    z.strictObject({ field: FieldName, gte: Scalar }),
    z.strictObject({ field: FieldName, lt: Scalar }),
    z.strictObject({ field: FieldName, lte: Scalar }),
    z.strictObject({ field: FieldName, in: z.array(Scalar).min(1) }),
    z.strictObject({ field: FieldName, exists: z.boolean() }),
    z.strictObject({ field: FieldName, olderThanDays: Days }).describe('the date is more than N days before the run'),
    z.strictObject({ field: FieldName, withinDays: Days }).describe('the date is at most N days before the run (and not after it)'),
  ]),
);

/** Type mistakes the schema cannot see (a number compared with a country, days on a count), with their path. */
export function predicateTypeIssues(predicate: Predicate, path: (string | number)[] = []): { path: (string | number)[]; message: string }[] {
  if ('and' in predicate) return predicate.and.flatMap((p, i) => predicateTypeIssues(p, [...path, 'and', i]));
  if ('or' in predicate) return predicate.or.flatMap((p, i) => predicateTypeIssues(p, [...path, 'or', i]));
  if ('not' in predicate) return predicateTypeIssues(predicate.not, [...path, 'not']);
  const type = fieldType(predicate.field);
  const issue = (message: string) => [{ path: [...path, 'field'], message: `${predicate.field}: ${message}` }];
  if ('olderThanDays' in predicate || 'withinDays' in predicate)
    return type === 'date' ? [] : issue(`olderThanDays / withinDays apply to date fields (${dateFields().join(', ')})`);
  if (type === 'list' && ('gt' in predicate || 'gte' in predicate || 'lt' in predicate || 'lte' in predicate))
    return issue('is a list; use eq (has the value), ne (has not) or in (has any of them)');
  const values = 'in' in predicate ? predicate.in : 'exists' in predicate ? [] : [comparedValue(predicate)];
  for (const value of values) {
    if (type === 'number' && typeof value !== 'number') return issue(`is a number; compare it with a number, not "${String(value)}"`);
    if (type !== 'number' && typeof value !== 'string')
      return issue(
        `is ${type === 'date' ? 'a date; compare it with an ISO date string such as "2026-01-01"' : type === 'list' ? 'a list of text values; compare it with a quoted string' : 'text; compare it with a quoted string'}`,
      );
  }
  return [];
}

function comparedValue(c: Comparison): number | string {
  if ('eq' in c) return c.eq;
  if ('ne' in c) return c.ne;
  if ('gt' in c) return c.gt;
  if ('gte' in c) return c.gte;
  if ('lt' in c) return c.lt;
  return c.lte;
}

/** What a predicate sees of one customer: the profile, and the values the run derives from it. */
export interface PredicateSubject {
  profile: CustomerProfile;
  value12mMinor: number;
  nowMs: number;
}

export type CompiledPredicate = (subject: PredicateSubject) => boolean;

/** Compiles a validated predicate into a function; call it once per config load, then once per profile. */
export function compilePredicate(predicate: Predicate): CompiledPredicate {
  if ('and' in predicate) {
    const parts = predicate.and.map(compilePredicate);
    return (s) => parts.every((p) => p(s));
  }
  if ('or' in predicate) {
    const parts = predicate.or.map(compilePredicate);
    return (s) => parts.some((p) => p(s));
  }
  if ('not' in predicate) {
    const inner = compilePredicate(predicate.not);
    return (s) => !inner(s);
  }
  if (fieldType(predicate.field) === 'list') return compileListPredicate(predicate);
  const read = fieldReader(predicate.field);
  if ('exists' in predicate) {
    const wanted = predicate.exists;
    return (s) => (read(s) !== undefined) === wanted;
  }
  if ('in' in predicate) {
    const set = new Set<number | string>(predicate.in);
    return (s) => {
      const v = read(s);
      return v !== undefined && set.has(v);
    };
  }
  if ('olderThanDays' in predicate || 'withinDays' in predicate) {
    const older = 'olderThanDays' in predicate;
    const days = older ? predicate.olderThanDays : predicate.withinDays;
    return (s) => {
      const v = read(s);
      const at = typeof v === 'string' ? Date.parse(v) : Number.NaN;
      if (Number.isNaN(at)) return false;
      const age = s.nowMs - at;
      return older ? age > days * DAY_MS : age >= 0 && age <= days * DAY_MS;
    };
  }
  const target = comparedValue(predicate);
  const test = comparator(predicate);
  return (s) => {
    const v = read(s);
    return v !== undefined && typeof v === typeof target && test(v, target);
  };
}

/** A list field: `exists` means a non-empty list; eq / in test membership; ne is "has not" (true for an empty list). */
function compileListPredicate(predicate: Exclude<Predicate, { and: Predicate[] } | { or: Predicate[] } | { not: Predicate }>): CompiledPredicate {
  const read = listReader(predicate.field);
  if ('exists' in predicate) {
    const wanted = predicate.exists;
    return (s) => read(s).length > 0 === wanted;
  }
  if ('in' in predicate) {
    const set = new Set<number | string>(predicate.in);
    return (s) => read(s).some((v) => set.has(v));
  }
  if ('eq' in predicate) {
    const target = predicate.eq;
    return (s) => read(s).includes(String(target));
  }
  if ('ne' in predicate) {
    const target = predicate.ne;
    return (s) => !read(s).includes(String(target));
  }
  // Order comparisons and date tests are refused by validation; compiled anyway, they match nobody.
  return () => false;
}

function listReader(field: string): (s: PredicateSubject) => readonly string[] {
  if (field === 'interests') return (s) => s.profile.answers?.interests ?? [];
  throw new Error(`unknown list field "${field}"`);
}

function comparator(c: Comparison): (a: number | string, b: number | string) => boolean {
  if ('eq' in c) return (a, b) => a === b;
  if ('ne' in c) return (a, b) => a !== b;
  if ('gt' in c) return (a, b) => a > b;
  if ('gte' in c) return (a, b) => a >= b;
  if ('lt' in c) return (a, b) => a < b;
  return (a, b) => a <= b;
}

function daysSince(at: string | undefined, nowMs: number): number | undefined {
  if (at === undefined) return undefined;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? undefined : Math.floor((nowMs - ms) / DAY_MS);
}

function fieldReader(field: string): (s: PredicateSubject) => number | string | undefined {
  const category = CATEGORY_FIELD.exec(field)?.[1];
  if (category !== undefined) return (s) => s.profile.categorySpendMinor[category];
  if (!isFieldName(field)) throw new Error(`unknown predicate field "${field}"`);
  switch (field) {
    case 'orderCount':
    case 'refundCount':
    case 'itemCount':
    case 'netSpendMinor':
    case 'referralCount':
    case 'locale':
    case 'country':
    case 'firstPurchaseAt':
    case 'lastPurchaseAt':
    case 'createdAt':
      return (s) => s.profile[field];
    case 'value12mMinor':
      return (s) => s.value12mMinor;
    case 'satisfaction':
      return (s) => s.profile.latestSatisfaction?.score;
    case 'satisfactionAt':
      return (s) => s.profile.latestSatisfaction?.at;
    case 'daysSinceLastPurchase':
      return (s) => daysSince(s.profile.lastPurchaseAt, s.nowMs);
    case 'daysSinceFirstPurchase':
      return (s) => daysSince(s.profile.firstPurchaseAt, s.nowMs);
    case 'heardFrom':
    case 'ageBand':
    case 'whyChoseUs':
      return (s) => s.profile.answers?.[field];
    case 'lastContactAt':
      return (s) => s.profile.lastContactAt;
    case 'daysSinceLastContact':
      return (s) => daysSince(s.profile.lastContactAt, s.nowMs);
    case 'openCases':
      return (s) => s.profile.openCases ?? 0;
    case 'interests':
      // List fields compile through compileListPredicate; this reader only keeps the switch exhaustive.
      return (s) => s.profile.answers?.interests.join(',');
  }
}
