import * as z from 'zod';
import { ConfigError, loadYamlConfig } from '#shared/config/load-yaml.ts';
import type { ShopConfig } from '#shared/config/shop-config.ts';
import { toMinorUnits } from '#shared/money.ts';
import { CategoryId } from '#shared/capture/capture-config.ts';

const CodePrefix = z.string().regex(/^[A-Z0-9]{1,12}$/, 'a prefix is 1–12 upper-case letters or digits, e.g. THANKS');
export const PoolName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'pool names are lower-case letters, digits and dashes, e.g. spring-2026');
const Amount = z.number().positive().max(1_000_000);

const CodeSource = z.discriminatedUnion('source', [
  /** A fresh random code per incentive, e.g. THANKS-7KQ2M-9XD4P. */
  z.strictObject({ source: z.literal('generated'), prefix: CodePrefix }),
  /** A code claimed from a pool of pre-loaded codes (e.g. printed or issued by the shop's POS). */
  z.strictObject({ source: z.literal('pool'), pool: PoolName }),
]);

const Coupon = z.strictObject({
  type: z.literal('coupon'),
  /** Percent off, or a fixed amount off in the shop's base currency (major units). */
  discount: z.union([z.strictObject({ percent: z.number().int().min(1).max(100) }), z.strictObject({ amount: Amount })]),
  /** Categories the coupon applies to; empty means the whole shop. */
  appliesTo: z.array(CategoryId).max(50).default([]),
  validDays: z.number().int().min(1).max(3650),
  code: CodeSource,
});

const Warranty = z.strictObject({
  type: z.literal('warranty'),
  /** Months added to the warranty of the order's products in the chosen category. */
  months: z.number().int().min(1).max(120),
  /** Prefix of the generated certificate number. */
  certificatePrefix: CodePrefix,
});

const GiftCard = z.strictObject({
  type: z.literal('gift-card'),
  /** Value in the shop's base currency (major units). */
  amount: Amount,
  validDays: z.number().int().min(1).max(3650),
  code: CodeSource,
});

export const IncentiveRuleSchema = z.discriminatedUnion('type', [Coupon, Warranty, GiftCard]);

/** config/incentives.yaml — what a customer gets for filling in the form, per product category. */
export const IncentivesConfigSchema = z.strictObject({
  default: IncentiveRuleSchema,
  categories: z.record(CategoryId, IncentiveRuleSchema).default({}),
});

export type IncentiveRuleConfig = z.output<typeof IncentiveRuleSchema>;
export type IncentivesConfig = z.output<typeof IncentivesConfigSchema>;
export type CodeSource = z.output<typeof CodeSource>;

/** A rule ready to apply: money already in base-currency minor units. */
export type IncentiveRule =
  | { type: 'coupon'; percent?: number; amountMinor?: number; currency: string; appliesTo: string[]; validDays: number; code: CodeSource }
  | { type: 'warranty'; months: number; certificatePrefix: string }
  | { type: 'gift-card'; amountMinor: number; currency: string; validDays: number; code: CodeSource };

export interface IncentiveRules {
  default: IncentiveRule;
  categories: ReadonlyMap<string, IncentiveRule>;
}

/** Converts configured amounts into minor units of the shop's base currency; an amount the currency cannot hold fails the start. */
export function resolveIncentiveRules(config: IncentivesConfig, shop: ShopConfig): IncentiveRules {
  const currency = shop.shop.baseCurrency;
  const problems: string[] = [];
  const minor = (amount: number, where: string): number => {
    const value = toMinorUnits(amount, currency);
    if (value === undefined) {
      problems.push(`${where}: ${amount} has more decimal places than ${currency} allows`);
      return 0;
    }
    return value;
  };
  const resolve = (rule: IncentiveRuleConfig, where: string): IncentiveRule => {
    switch (rule.type) {
      case 'coupon':
        return 'percent' in rule.discount
          ? { type: 'coupon', percent: rule.discount.percent, currency, appliesTo: rule.appliesTo, validDays: rule.validDays, code: rule.code }
          : {
              type: 'coupon',
              amountMinor: minor(rule.discount.amount, `${where}.discount.amount`),
              currency,
              appliesTo: rule.appliesTo,
              validDays: rule.validDays,
              code: rule.code,
            };
      case 'warranty':
        return { type: 'warranty', months: rule.months, certificatePrefix: rule.certificatePrefix };
      case 'gift-card':
        return { type: 'gift-card', amountMinor: minor(rule.amount, `${where}.amount`), currency, validDays: rule.validDays, code: rule.code };
    }
  };
  const rules: IncentiveRules = {
    default: resolve(config.default, 'default'),
    categories: new Map(Object.entries(config.categories).map(([category, rule]) => [category, resolve(rule, `categories.${category}`)])),
  };
  if (problems.length > 0) throw new ConfigError(`invalid configuration in incentives.yaml\n  ${problems.join('\n  ')}`);
  return rules;
}

export function loadIncentiveRules(shop: ShopConfig, dir?: string): IncentiveRules {
  return resolveIncentiveRules(loadYamlConfig('incentives.yaml', IncentivesConfigSchema, dir), shop);
}

/** Every category a rule names (for checking that each has a label in the catalogs). */
export function categoriesNamedBy(rules: IncentiveRules): string[] {
  const all = [rules.default, ...rules.categories.values()].flatMap((rule) => (rule.type === 'coupon' ? rule.appliesTo : []));
  return [...new Set(all)].sort();
}
