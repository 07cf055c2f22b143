import { describe, expect, it } from 'vitest';
import { tQuantile975, waldDifference, welchDifference, type SampleSums } from '#shared/reports/statistics.ts';

const sums = (values: number[]): SampleSums => ({
  n: values.length,
  sum: values.reduce((a, b) => a + b, 0),
  sumOfSquares: values.reduce((a, b) => a + b * b, 0),
});

describe('waldDifference', () => {
  it('is the difference of the two proportions ± 1.96 standard errors', () => {
    const interval = waldDifference(30, 200, 10, 100);
    const se = Math.sqrt((0.15 * 0.85) / 200 + (0.1 * 0.9) / 100);
    expect(interval?.difference).toBeCloseTo(0.05, 12);
    expect(interval?.low).toBeCloseTo(0.05 - 1.959964 * se, 6);
    expect(interval?.high).toBeCloseTo(0.05 + 1.959964 * se, 6);
  });

  it('is undefined without a held-out group', () => {
    expect(waldDifference(3, 10, 0, 0)).toBeUndefined();
  });
});

describe('tQuantile975', () => {
  // Reference values: scipy.stats.t.ppf(0.975, df).
  it.each([
    [3, 3.182446],
    [10, 2.228139],
    [30, 2.042272],
    [1000, 1.962339],
    [6.972, 2.366551],
  ])('with %d degrees of freedom is within 0.01 of the exact quantile', (df, exact) => {
    expect(Math.abs(tQuantile975(df) - exact)).toBeLessThan(0.01);
  });
});

describe('welchDifference', () => {
  it("matches Welch's t interval (scipy ttest_ind equal_var=False) for unequal variances", () => {
    const interval = welchDifference(sums([1, 2, 3, 4, 5]), sums([2, 4, 6, 8, 10, 12]));
    expect(interval?.difference).toBeCloseTo(-4, 12);
    expect(interval?.degreesOfFreedom).toBeCloseTo(6.972256, 5);
    expect(interval?.low).toBeCloseTo(-7.983469, 2);
    expect(interval?.high).toBeCloseTo(-0.016531, 2);
  });

  it('needs two values in each group', () => {
    expect(welchDifference(sums([1]), sums([2, 3]))).toBeUndefined();
  });
});
