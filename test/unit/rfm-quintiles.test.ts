import { describe, expect, it } from 'vitest';
import { quintileEdges, quintileLabels, stableSortByKey } from '#shared/segments/rfm-quintiles.ts';

/** pd.qcut(pd.Series(range(1, n + 1)).rank(method='first'), 5, labels=[1, 2, 3, 4, 5]), worked by hand from numpy's linear percentiles. */
const pandasLabels: Record<number, string> = {
  2: '15', // edges 1.2 1.4 1.6 1.8 2
  3: '135', // edges 1.4 1.8 2.2 2.6 3
  5: '12345', // edges 1.8 2.6 3.4 4.2 5
  6: '112345', // edges 2 3 4 5 6: a rank on an edge stays in the lower bin
  7: '1123455', // edges 2.2 3.4 4.6 5.8 7
  10: '1122334455', // edges 2.8 4.6 6.4 8.2 10
  11: '11122334455', // edges 3 5 7 9 11
  16: '1111222333444555', // edges 4 7 10 13 16
};

describe('quintile labels match pandas qcut over rank(method="first")', () => {
  for (const [n, expected] of Object.entries(pandasLabels)) {
    it(`labels ranks 1..${n} as ${expected}`, () => {
      expect(Array.from(quintileLabels(Number(n))).join('')).toBe(expected);
    });
  }

  it('computes the upper edges with numpy float arithmetic (60th percentile of 1..11 is 7.000000000000001)', () => {
    expect(Array.from(quintileEdges(11))).toEqual([3, 5, 7.000000000000001, 9, 11]);
  });

  it('gives a lone customer label 1, where pandas refuses non-unique bin edges', () => {
    expect(Array.from(quintileLabels(1))).toEqual([1]);
  });

  it('puts exactly a fifth in each bin when n is a multiple of 5', () => {
    const labels = quintileLabels(1000);
    const perLabel = [1, 2, 3, 4, 5].map((label) => labels.filter((l) => l === label).length);
    expect(perLabel).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('stableSortByKey', () => {
  it('sorts by numeric key, negatives and fractions included, and keeps ties in input order', () => {
    const key = new Float64Array([5, -2, 5, 0, -2.5, 1e12, 5, -0]);
    const order = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(stableSortByKey(order, key))).toEqual([4, 1, 3, 7, 0, 2, 6, 5]);
  });

  it('keeps the incoming order of equal keys even when it is not index order', () => {
    const key = new Float64Array([1, 1, 1, 0]);
    expect(Array.from(stableSortByKey(Int32Array.from([2, 0, 3, 1]), key))).toEqual([3, 2, 0, 1]);
  });
});
