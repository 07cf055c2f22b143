import { describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- package.json has no #infra/* alias; this is the stand-in infra bundles.
import { compare, gte } from '../../infra/bundling/semver-gte.ts';

describe('the semver stand-in every Lambda bundle loads (infra/bundling/semver-gte.ts)', () => {
  it('orders versions as SemVer 2.0.0 does, pre-releases included (the spec’s own precedence example)', () => {
    const ascending = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.1.0',
      '1.10.0',
      '2.0.0',
      '3.1000.0',
    ];
    ascending.forEach((lower, i) => {
      for (const higher of ascending.slice(i + 1)) {
        expect(compare(lower, higher), `${lower} < ${higher}`).toBe(-1);
        expect(compare(higher, lower), `${higher} > ${lower}`).toBe(1);
        expect(gte(higher, lower)).toBe(true);
        expect(gte(lower, higher)).toBe(false);
      }
      expect(gte(lower, lower)).toBe(true);
    });
  });

  it('reads versions as semver’s gte does: a leading v or =, build metadata ignored', () => {
    expect(gte('v3.1.0', '3.0.0')).toBe(true);
    expect(gte('=2.0.0', 'v2.0.0')).toBe(true);
    expect(compare('1.2.3+build.5', '1.2.3+other')).toBe(0);
    // What the X-Ray SDK's v2 patcher asks: an SDK version against its minimum.
    expect(gte('2.1349.0', '2.7.15')).toBe(true);
    expect(gte('2.7.9', '2.7.15')).toBe(false);
  });

  it('throws semver’s TypeError on a string that is not a version, rather than answer', () => {
    for (const bad of ['', '1.2', '1.2.3.4', '01.2.3', '1.2.3-', 'latest']) expect(() => gte(bad, '1.0.0'), bad).toThrow(TypeError);
  });
});
