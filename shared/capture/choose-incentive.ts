import type { IncentiveRule, IncentiveRules } from '#shared/capture/incentive-config.ts';

export interface ChosenIncentive {
  /** The category whose rule applies, or "default". */
  ruleKey: string;
  rule: IncentiveRule;
}

/**
 * Picks the incentive for an order, deterministically: among the order's categories that have a rule, the one
 * the customer spent most on (ties: alphabetical), else the default rule. `categoryMinor` is the order's spend
 * per category in base-currency minor units, as stored on the order.
 */
export function chooseIncentive(rules: IncentiveRules, categoryMinor: Readonly<Record<string, number>>): ChosenIncentive {
  const candidates = Object.entries(categoryMinor)
    .filter(([category, minor]) => minor > 0 && rules.categories.has(category))
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  for (const [category] of candidates) {
    const rule = rules.categories.get(category);
    if (rule) return { ruleKey: category, rule };
  }
  return { ruleKey: 'default', rule: rules.default };
}
