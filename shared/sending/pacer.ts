import { sleep } from '#shared/runtime/retry.ts';

/**
 * Keeps one worker under a send rate: `take()` resolves when the next send may start. With N workers on the
 * queue (the event source's maximum concurrency), each paces at rate / N, so together they stay under the
 * account's SES send rate and SES never throttles.
 *
 * Should SES throttle all the same (another sender on the account, a lowered quota), `backOff()` cuts this
 * worker's rate by 30% (down to a twentieth of the configured one); each send afterwards wins back a twentieth of
 * the configured rate, so the worker climbs back once SES stops throttling (additive increase, multiplicative
 * decrease). Under a steady 30% of calls throttled it settles near half the configured rate.
 */
export interface Pacer {
  take(): Promise<void>;
  /** SES throttled a send: slow down. */
  backOff?(): void;
}

export interface AdaptivePacer extends Pacer {
  backOff(): void;
  /** The rate the pacer holds now (emails per second). */
  currentRate(): number;
}

export function createPacer(ratePerSecond: number, clock: { now(): number; sleep(ms: number): Promise<void> } = realClock): AdaptivePacer {
  const floor = ratePerSecond / 20;
  const step = ratePerSecond / 20;
  let rate = ratePerSecond;
  let next = 0;
  return {
    async take() {
      const now = clock.now();
      const at = Math.max(now, next);
      next = at + 1000 / rate;
      rate = Math.min(ratePerSecond, rate + step);
      if (at > now) await clock.sleep(at - now);
    },
    backOff() {
      rate = Math.max(floor, rate * 0.7);
    },
    currentRate: () => rate,
  };
}

const realClock = {
  now: () => performance.now(),
  sleep,
};
