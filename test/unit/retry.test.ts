import { describe, expect, it } from 'vitest';
import {
  Contended as SharedContended,
  exponential,
  fullJitter,
  isContended,
  noWait,
  RemainingAfterRetriesError,
  retry,
  retryRemaining,
} from '#shared/runtime/retry.ts';

class Contended extends Error {}

/** A policy that records its waits instead of sleeping. */
function recording(attempts: number, backoff = exponential(10)) {
  const waits: number[] = [];
  return { waits, policy: { attempts, backoff, retryOn: (error: unknown) => error instanceof Contended, sleep: async (ms: number) => void waits.push(ms) } };
}

describe('retry', () => {
  it('tries again after a retryable error, waiting the backoff of the failed attempt, and returns the first success', async () => {
    const { waits, policy } = recording(5);
    const seen: number[] = [];
    const result = await retry(async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw new Contended();
      return 'done';
    }, policy);
    expect(result).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
    expect(waits).toEqual([20, 40]);
  });

  it('throws an error it was not told to retry at once', async () => {
    const { waits, policy } = recording(5);
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new TypeError('a bug');
      }, policy),
    ).rejects.toThrow('a bug');
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('stops after the number of attempts, with no wait after the last, and throws what giveUp makes of it', async () => {
    const { waits, policy } = recording(3);
    let calls = 0;
    const giving = retry(
      async () => {
        calls++;
        throw new Contended('still');
      },
      { ...policy, giveUp: (last, attempts) => new Error(`gave up after ${attempts}`, { cause: last }) },
    );
    await expect(giving).rejects.toThrow('gave up after 3');
    expect(calls).toBe(3);
    expect(waits).toEqual([20, 40]);
  });

  it('throws the last retryable error itself when no giveUp is given', async () => {
    const { policy } = recording(2);
    const last = new Contended('second');
    await expect(
      retry(async (attempt) => {
        throw attempt === 1 ? new Contended('first') : last;
      }, policy),
    ).rejects.toBe(last);
  });

  it('never lets the shared Contended escape, so an outer retry does not take it for its own race', async () => {
    let outerAttempts = 0;
    const nested = retry(
      async () => {
        outerAttempts++;
        await retry(
          async () => {
            throw new SharedContended();
          },
          { attempts: 2, backoff: noWait, retryOn: isContended },
        );
      },
      { attempts: 5, backoff: noWait, retryOn: isContended },
    );
    await expect(nested).rejects.toThrow('still contended after 2 attempts');
    expect(outerAttempts).toBe(1);
  });

  it('does not wait when the backoff is zero', async () => {
    const { waits, policy } = recording(3, noWait);
    await retry(async (attempt) => {
      if (attempt < 3) throw new Contended();
    }, policy);
    expect(waits).toEqual([]);
  });
});

describe('backoffs', () => {
  it('full jitter waits a random share of min(cap, base·2^attempt)', () => {
    const backoff = fullJitter(25, 2000, () => 0.5);
    expect([1, 2, 3, 7, 20].map(backoff)).toEqual([25, 50, 100, 1000, 1000]);
    expect(fullJitter(25, 2000, () => 0)(5)).toBe(0);
  });

  it('exponential doubles from twice the base', () => {
    expect([1, 2, 3].map(exponential(50))).toEqual([100, 200, 400]);
  });
});

describe('retryRemaining', () => {
  it('sends what each call left over until nothing is', async () => {
    const sent: number[][] = [];
    await retryRemaining(
      [1, 2, 3, 4],
      async (pending) => {
        sent.push([...pending]);
        return pending.slice(1);
      },
      { attempts: 10, backoff: noWait, describe: () => 'unused' },
    );
    expect(sent).toEqual([[1, 2, 3, 4], [2, 3, 4], [3, 4], [4]]);
  });

  it('throws naming how many are left after the last attempt', async () => {
    const attempt = retryRemaining(['a', 'b', 'c'], async (pending) => pending.slice(1), {
      attempts: 2,
      backoff: noWait,
      describe: (left, attempts) => `${left.join('')} left after ${attempts}`,
    });
    await expect(attempt).rejects.toThrow(RemainingAfterRetriesError);
    await expect(attempt).rejects.toMatchObject({ message: 'c left after 2', remaining: 1, attempts: 2 });
  });
});
