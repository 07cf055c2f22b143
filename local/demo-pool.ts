/**
 * Coupon codes for the demo shop's pools. An incentive drawn from a pool (config/incentives.yaml:
 * `code: { source: pool, pool: <name> }`) needs codes loaded first — in a real shop with
 * `npx kinship incentives load-pool` — or a confirming customer gets no coupon and the pool-exhausted error
 * is logged. The demo loads a fixed set per pool through the same code path, idempotently (codes already
 * there, free or claimed, are skipped), before its customers confirm.
 */
import { loadPoolCodes, parsePoolCodes } from '#shared/capture/coupon-pool.ts';
import { IncentivesConfigSchema, type IncentiveRuleConfig } from '#shared/capture/incentive-config.ts';
import { loadYamlConfig } from '#shared/config/load-yaml.ts';
import type { Table } from '#shared/table/table-client.ts';

/** One code per demo customer is plenty: each confirmation draws at most one. */
export const DEMO_CODES_PER_POOL = 40;

/** Every pool an incentive rule draws codes from. Pure. */
export function poolsNamedBy(rules: readonly IncentiveRuleConfig[]): string[] {
  const pools = rules.flatMap((rule) => ('code' in rule && rule.code.source === 'pool' ? [rule.code.pool] : []));
  return [...new Set(pools)].sort();
}

/** The demo codes of a pool, as a code file would list them: `DEMO-SPRING-2026-0001` … Pure. */
export function demoPoolCodes(pool: string, count = DEMO_CODES_PER_POOL): string[] {
  const lines = Array.from({ length: count }, (_, i) => `DEMO-${pool}-${String(i + 1).padStart(4, '0')}`);
  return parsePoolCodes(lines.join('\n')).codes;
}

/** Loads the demo codes into every pool config/incentives.yaml names; returns how many were new per pool. */
export async function loadDemoPools(table: Table, options: { configDir?: string; now?: Date } = {}): Promise<Record<string, number>> {
  const config = loadYamlConfig('incentives.yaml', IncentivesConfigSchema, options.configDir);
  const loaded: Record<string, number> = {};
  for (const pool of poolsNamedBy([config.default, ...Object.values(config.categories)])) {
    loaded[pool] = (await loadPoolCodes(table, pool, demoPoolCodes(pool), options.now ? { now: options.now } : {})).loaded;
  }
  return loaded;
}
