/** The two interval estimates the holdout comparison needs, in closed form (no stats library for two formulas). */

/** 97.5th percentile of the standard normal: a two-sided 95% interval. */
export const Z_975 = 1.959963984540054;

export interface Interval {
  difference: number;
  low: number;
  high: number;
}

/**
 * Wald (normal-approximation) 95% interval for p1 − p0, the difference of two independent proportions:
 * (p1 − p0) ± z·√(p1(1−p1)/n1 + p0(1−p0)/n0). Undefined when either group is empty.
 */
export function waldDifference(successes1: number, n1: number, successes0: number, n0: number): Interval | undefined {
  if (n1 <= 0 || n0 <= 0) return undefined;
  const p1 = successes1 / n1;
  const p0 = successes0 / n0;
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p0 * (1 - p0)) / n0);
  const difference = p1 - p0;
  return { difference, low: difference - Z_975 * se, high: difference + Z_975 * se };
}

/** Running sums of one group's values, enough for its mean and sample variance. */
export interface SampleSums {
  n: number;
  sum: number;
  sumOfSquares: number;
}

export function sampleVariance(s: SampleSums): number {
  if (s.n < 2) return 0;
  return Math.max(0, (s.sumOfSquares - (s.sum * s.sum) / s.n) / (s.n - 1));
}

/**
 * Welch's 95% interval for mean1 − mean0 with unequal variances: ± t(0.975, ν)·√(v1/n1 + v0/n0), ν from the
 * Welch–Satterthwaite equation. Undefined unless both groups have at least two values.
 */
export function welchDifference(group1: SampleSums, group0: SampleSums): (Interval & { degreesOfFreedom: number }) | undefined {
  if (group1.n < 2 || group0.n < 2) return undefined;
  const a = sampleVariance(group1) / group1.n;
  const b = sampleVariance(group0) / group0.n;
  const difference = group1.sum / group1.n - group0.sum / group0.n;
  const se = Math.sqrt(a + b);
  if (se === 0) return { difference, low: difference, high: difference, degreesOfFreedom: group1.n + group0.n - 2 };
  const degreesOfFreedom = (a + b) ** 2 / (a ** 2 / (group1.n - 1) + b ** 2 / (group0.n - 1));
  const t = tQuantile975(degreesOfFreedom);
  return { difference, low: difference - t * se, high: difference + t * se, degreesOfFreedom };
}

/**
 * The 97.5th percentile of Student's t with ν degrees of freedom (ν may be fractional, as Welch's is), by the
 * Cornish–Fisher expansion around the normal quantile (Abramowitz & Stegun 26.7.5): within 0.01 of the exact
 * value from ν = 3, and ν is in the thousands for any campaign worth reading.
 */
export function tQuantile975(nu: number): number {
  const v = Math.max(nu, 1);
  const z = Z_975;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  const z9 = z ** 9;
  const g1 = (z3 + z) / 4;
  const g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
  const g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
  const g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
  return z + g1 / v + g2 / v ** 2 + g3 / v ** 3 + g4 / v ** 4;
}
