import { describe, expect, it } from 'vitest';
import { chunk, forEachConcurrent, TaskPool } from '#shared/runtime/concurrency.ts';

/** A task that resolves when told to, so a test can see how many run at once. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('forEachConcurrent', () => {
  it('runs every item with at most `limit` in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await forEachConcurrent([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      done.push(item);
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('starts nothing new after a failure, waits for the running ones and throws the first error', async () => {
    const started: number[] = [];
    let finished = 0;
    await expect(
      forEachConcurrent([1, 2, 3, 4, 5, 6], 2, async (item) => {
        started.push(item);
        await new Promise((resolve) => setImmediate(resolve));
        if (item === 1) throw new Error('first failed');
        finished++;
      }),
    ).rejects.toThrow('first failed');
    expect(started).toEqual([1, 2]);
    expect(finished).toBe(1);
  });
});

describe('TaskPool', () => {
  it('holds a producer back while the pool is full', async () => {
    const pool = new TaskPool(2);
    const gates = [gate(), gate(), gate()];
    await pool.run(() => gates[0]?.opened ?? Promise.resolve());
    await pool.run(() => gates[1]?.opened ?? Promise.resolve());
    let thirdStarted = false;
    const third = pool.run(async () => {
      thirdStarted = true;
      await gates[2]?.opened;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(thirdStarted).toBe(false);
    gates[0]?.open();
    await third;
    expect(thirdStarted).toBe(true);
    gates[1]?.open();
    gates[2]?.open();
    await pool.drain();
  });

  it('drain throws the first failure, and run refuses new work after it', async () => {
    const pool = new TaskPool(2);
    await pool.run(async () => {
      throw new Error('task failed');
    });
    await expect(pool.drain()).rejects.toThrow('task failed');
    await expect(pool.run(async () => undefined)).rejects.toThrow('task failed');
  });
});

describe('chunk', () => {
  it('splits into runs of the size, the last shorter', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});
