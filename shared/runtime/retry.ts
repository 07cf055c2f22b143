/**
 * The one retry helper. Every retry loop in shared/ says three things through it: which failures are worth another
 * attempt, how many attempts in all, and how long to wait between them; what happens when the attempts run out is
 * the caller's (`giveUp`), so each error still says what to do next.
 *
 * Written here rather than taken from p-retry: p-retry's waits are `minTimeout·factor^n` times 1–2, never less than
 * the base, so it has no full jitter (AWS's advice for contended conditional writes and throttled batches, and what
 * these loops used); its 8.x/9.x need Node 22 (Kinship runs on Node ≥ 20.19); and the batch loops retry what a call
 * left over rather than the call, which a `retryRemaining` on top of `retry` says directly.
 */

/** The wait in ms after failed attempt `attempt` (1 for the first), before the next one. */
export type Backoff = (attempt: number) => number;

/** Exponential backoff with full jitter: a random wait in 0..min(cap, base·2^attempt) ms. */
export function fullJitter(baseMs: number, capMs: number, random: () => number = Math.random): Backoff {
  return (attempt) => random() * Math.min(capMs, baseMs * 2 ** attempt);
}

/** Exponential backoff without jitter: base·2^attempt ms. */
export function exponential(baseMs: number): Backoff {
  return (attempt) => baseMs * 2 ** attempt;
}

/** No wait: for a read-and-decide-again loop whose conflict is already over when it learns of it. */
export const noWait: Backoff = () => 0;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Thrown by an attempt that lost a race (a conditional write or a transaction cancelled by another writer) and
 * should read again and decide again; `retryOn: isContended` retries just these.
 */
export class Contended extends Error {
  override readonly name = 'Contended';
}

export const isContended = (error: unknown): boolean => error instanceof Contended;

export interface RetryPolicy {
  /** Attempts in all, the first included (≥ 1). */
  attempts: number;
  backoff: Backoff;
  /** Whether a thrown error is worth another attempt; any other error is thrown at once. */
  retryOn: (error: unknown) => boolean;
  /** The error thrown when the last attempt failed with a retryable error; by default that error itself. */
  giveUp?: (lastError: unknown, attempts: number) => Error;
  /** For tests: how to wait. */
  sleep?: (ms: number) => Promise<void>;
}

/** Runs `work(attempt)` (attempt 1, 2, …) until it returns, retrying the errors `retryOn` accepts with `backoff` between. */
export async function retry<T>(work: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const wait = policy.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (!policy.retryOn(error)) throw error;
      if (attempt >= policy.attempts) throw policy.giveUp ? policy.giveUp(error, attempt) : lastError(error, attempt);
    }
    const ms = policy.backoff(attempt);
    if (ms > 0) await wait(ms);
  }
}

/** A Contended never leaves its retry: an outer retry would take it for its own race and start over. */
function lastError(error: unknown, attempts: number): unknown {
  return error instanceof Contended ? new Error(`still contended after ${attempts} attempts`, { cause: error }) : error;
}

/** What a `retryRemaining` call left over after the last attempt. */
export class RemainingAfterRetriesError extends Error {
  override readonly name = 'RemainingAfterRetriesError';
  constructor(
    message: string,
    readonly remaining: number,
    readonly attempts: number,
  ) {
    super(message);
  }
}

export interface RemainingPolicy<T> {
  attempts: number;
  backoff: Backoff;
  /** The error's message from what is left and after how many attempts, e.g. `${remaining.length} deletes still unprocessed …`. */
  describe: (remaining: readonly T[], attempts: number) => string;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends `items`, then again whatever the call reports as not done (a batch's UnprocessedItems, PutEvents' failed
 * entries), until none is left; after `attempts` calls throws a RemainingAfterRetriesError naming how many are left.
 */
export async function retryRemaining<T>(
  items: readonly T[],
  send: (pending: readonly T[]) => Promise<readonly T[]>,
  policy: RemainingPolicy<T>,
): Promise<void> {
  let pending = items;
  if (pending.length === 0) return;
  await retry(
    async () => {
      pending = await send(pending);
      if (pending.length > 0) throw new StillPending();
    },
    {
      attempts: policy.attempts,
      backoff: policy.backoff,
      retryOn: (error) => error instanceof StillPending,
      giveUp: (_, attempts) => new RemainingAfterRetriesError(policy.describe(pending, attempts), pending.length, attempts),
      ...(policy.sleep ? { sleep: policy.sleep } : {}),
    },
  );
}

class StillPending extends Error {}
