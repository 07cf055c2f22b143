/**
 * The segmentation's worker thread: runs each posted rank task and posts the sorted rows back (transferred, not
 * copied). Started by `startRankWorkers`; in Lambda it is its own bundle, rank-worker.mjs beside index.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { isRankTask, runRankTask } from '#shared/segments/rank-tasks.ts';

const port = parentPort;
if (port) {
  port.on('message', (message: unknown) => {
    const id = typeof message === 'object' && message !== null && 'id' in message && typeof message.id === 'number' ? message.id : -1;
    const task = typeof message === 'object' && message !== null && 'task' in message ? message.task : undefined;
    try {
      if (!isRankTask(task)) throw new Error('not a rank task');
      const rows = runRankTask(task);
      // Sorted rows are in a plain ArrayBuffer: hand it over instead of copying it.
      const { buffer } = rows;
      port.postMessage({ id, rows }, buffer instanceof ArrayBuffer ? [buffer] : []);
    } catch (error) {
      port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
}
