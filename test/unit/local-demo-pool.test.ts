import { describe, expect, it } from 'vitest';
import { DEMO_CODES_PER_POOL, demoPoolCodes, poolsNamedBy } from '#local/demo-pool.ts';
import { IncentivesConfigSchema } from '#shared/capture/incentive-config.ts';
import { loadYamlConfig } from '#shared/config/load-yaml.ts';

describe('demo coupon pools', () => {
  it('finds every pool the shipped config/incentives.yaml draws codes from (the demo must fill each)', () => {
    const config = loadYamlConfig('incentives.yaml', IncentivesConfigSchema);
    expect(poolsNamedBy([config.default, ...Object.values(config.categories)])).toEqual(['spring-2026']);
  });

  it('gives a pool a fixed set of distinct, loadable codes, the same on every start', () => {
    const codes = demoPoolCodes('spring-2026');
    expect(codes).toHaveLength(DEMO_CODES_PER_POOL);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes[0]).toBe('DEMO-SPRING-2026-0001');
    expect(demoPoolCodes('spring-2026')).toEqual(codes);
  });
});
