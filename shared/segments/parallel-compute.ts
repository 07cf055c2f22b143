/**
 * The segmentation's compute on every core: the same sorts as `computeSegments`, split over worker threads
 * (node:worker_threads) that share the columns through SharedArrayBuffers. First the purchasers are sorted by
 * customer id in `threads` id ranges (one per thread, split at sampled ids), then the four key sorts of that
 * order run one per thread; everything after the sorts is the one-thread code (`segmentationFromRankings`).
 * The calling thread takes a share of each step, so `threads` cores run with `threads - 1` workers.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ProfileColumns } from '#shared/segments/profile-columns.ts';
import { negatedValues, scoredRows, segmentationFromRankings, type Segmentation } from '#shared/segments/compute-segments.ts';
import { encodeIds, idSplitters, runRankTask, sharedFloat64, sharedInt32, type RankTask } from '#shared/segments/rank-tasks.ts';
import type { SegmentPlan } from '#shared/segments/segment-plan.ts';

/** Lambda's CPU share: one vCPU per 1,769 MB of memory, whatever the host's CPU count says. */
const LAMBDA_MB_PER_VCPU = 1769;

/** Below this many profiles a worker's start and the copies into shared memory cost more than they save. */
export const MIN_PROFILES_FOR_WORKERS = 100_000;

/**
 * Threads the compute may use: the cores Node sees, capped in Lambda by the vCPUs its memory buys
 * (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`: 1,769 MB = 1 vCPU, 3,538 MB = 2, … 10,240 MB = 6).
 */
export function computeThreads(env: Readonly<Record<string, string | undefined>> = process.env, cores = os.availableParallelism()): number {
  const memoryMb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const vcpus = Number.isFinite(memoryMb) && memoryMb > 0 ? Math.floor(memoryMb / LAMBDA_MB_PER_VCPU) : cores;
  return Math.max(1, Math.min(cores, vcpus));
}

/** `threads - 1` worker threads running rank tasks; the caller is the remaining thread. */
export interface RankWorkers {
  threads: number;
  /** Runs `task` on worker `index` (0-based), resolving to the sorted rows. */
  run(index: number, task: RankTask): Promise<Int32Array>;
  close(): Promise<void>;
}

export function startRankWorkers(threads: number): RankWorkers {
  const workers = Array.from({ length: Math.max(0, threads - 1) }, () => {
    const worker = startWorker();
    const pending = new Map<number, { resolve: (rows: Int32Array) => void; reject: (error: Error) => void }>();
    const failAll = (error: Error) => {
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    };
    worker.on('message', (message: unknown) => {
      if (typeof message !== 'object' || message === null || !('id' in message) || typeof message.id !== 'number') return;
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if ('rows' in message && message.rows instanceof Int32Array) waiter.resolve(message.rows);
      else waiter.reject(new Error(`rank worker: ${'error' in message ? String(message.error) : 'no rows'}`));
    });
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`rank worker exited (code ${code})`)));
    return { worker, pending };
  });
  let nextId = 0;
  return {
    threads: workers.length + 1,
    run(index, task) {
      const entry = workers[index];
      if (!entry) return Promise.reject(new Error(`no rank worker ${index}`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        entry.pending.set(id, { resolve, reject });
        entry.worker.postMessage({ id, task });
      });
    },
    async close() {
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}

/**
 * The worker's code: from the TypeScript source through tsx (local runtime, CLI, tests), or the bundled
 * rank-worker.mjs that the Lambda asset carries beside index.mjs (see infra/app-function.ts).
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./rank-worker.mjs', here));
  // `--import tsx` does not reach a worker on Node 20: the worker registers tsx itself, then loads the entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./rank-worker.ts', here).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
}

/** Runs `tasks` spread over the threads (task i on thread i mod threads; thread 0 is this one), in order. */
async function runSpread(workers: RankWorkers, tasks: RankTask[]): Promise<Int32Array[]> {
  const results: Promise<Int32Array>[] = tasks.map((task, i) =>
    i % workers.threads === 0 ? Promise.resolve(new Int32Array(0)) : workers.run((i % workers.threads) - 1, task),
  );
  // This thread's share runs while the workers run theirs.
  tasks.forEach((task, i) => {
    if (i % workers.threads === 0) results[i] = Promise.resolve(runRankTask(task));
  });
  return Promise.all(results);
}

/** `computeSegments` on `workers.threads` threads: the same memberships, scores, ranks and cutoffs. */
export async function computeSegmentsInParallel(plan: SegmentPlan, columns: ProfileColumns, workers: RankWorkers): Promise<Segmentation> {
  const threads = workers.threads;
  const scored = scoredRows(columns);
  const rows = sharedInt32(scored.length);
  rows.set(scored);
  const ids = encodeIds(columns.ids);
  const splitters = idSplitters(ids, rows, threads);
  const ranges = Array.from({ length: threads }, (_, p): RankTask => ({ kind: 'ids', ids, rows, after: splitters[p - 1] ?? -1, upTo: splitters[p] ?? -1 }));
  const parts = await runSpread(workers, ranges);
  const byId = sharedInt32(scored.length);
  let at = 0;
  for (const part of parts) {
    byId.set(part, at);
    at += part.length;
  }
  const keys = [columns.recencyDays, columns.orderCount, columns.netSpendMinor, negatedValues(columns)].map(
    (key): RankTask => ({ kind: 'key', order: byId, key: sharedFloat64(key) }),
  );
  const [recency, frequency, monetary, value] = await runSpread(workers, keys);
  if (!recency || !frequency || !monetary || !value) throw new Error('rank workers returned fewer orders than asked');
  return segmentationFromRankings(plan, columns, { byId, recency, frequency, monetary, value });
}
