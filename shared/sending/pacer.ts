/**
 * Keeps one worker under a send rate: `take()` resolves when the next send may start. With N workers on the
 * queue (the event source's maximum concurrency), each paces at rate / N, so together they stay under the
 * account's SES send rate and SES never throttles.
 */
export interface Pacer {
  take(): Promise<void>;
}

export function createPacer(ratePerSecond: number, clock: { now(): number; sleep(ms: number): Promise<void> } = realClock): Pacer {
  const interval = 1000 / ratePerSecond;
  let next = 0;
  return {
    async take() {
      const now = clock.now();
      const at = Math.max(now, next);
      next = at + interval;
      if (at > now) await clock.sleep(at - now);
    },
  };
}

const realClock = {
  now: () => performance.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};
