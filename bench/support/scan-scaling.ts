/**
 * How DynamoDB Local's own Scan scales with table size — the reason bench/report's full size takes so long on this
 * machine. Loads small email-event-like items in steps (SIZES, default 50k,100k,200k,400k) and times a bare
 * Scan with 1 and with 12 segments at each step. Not part of `npm run bench` (it takes ~15 minutes):
 *   npx tsx bench/support/scan-scaling.ts        (HEAP=8192 SIZES=50000,100000 to change)
 * Writes bench/results/dynamodb-local-scan-scaling.json.
 */
import { loadavg } from 'node:os';
import { ensureTable, startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { batchWriteAll } from '#shared/table/batch-write.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import { bareScan, freePort, machineInfo, timed, writeBenchResult } from '../bench-harness.ts';

const heapMb = Number(process.env.HEAP ?? 8192);
const sizes = (process.env.SIZES ?? '50000,100000,200000,400000').split(',').map(Number);
const db = await startDynamoDbLocal({ port: await freePort(), maxHeapMb: heapMb });
const name = `scan-scaling-${Date.now()}`;
await ensureTable(db.endpoint, name);
const table: Table = { doc: createDocumentClient(db.endpoint), name };
const pad = 'x'.repeat(150);
const steps: { items: number; segments: number; seconds: number; itemsPerSecond: number }[] = [];
let loaded = 0;
try {
  for (const size of sizes) {
    const requests = [];
    for (; loaded < size; loaded++)
      requests.push({ PutRequest: { Item: { PK: `CUST#c${loaded % 100_000}`, SK: `EVT#${loaded}`, entityType: 'EMAIL_EVENT', pad } } });
    await batchWriteAll(table, requests, { concurrency: 16 });
    for (const segments of [1, 12]) {
      const scan = await timed(() => bareScan(table, segments));
      if (scan.value !== size) throw new Error(`scanned ${scan.value} items, loaded ${size}`);
      steps.push({ items: size, segments, seconds: Number(scan.seconds.toFixed(2)), itemsPerSecond: Math.round(size / scan.seconds) });
      process.stdout.write(`${size.toLocaleString('en-US')} items, ${segments} segment(s): ${scan.seconds.toFixed(1)} s\n`);
    }
  }
} finally {
  table.doc.destroy();
  await db.stop();
}
const file = await writeBenchResult('dynamodb-local-scan-scaling', {
  date: new Date().toISOString(),
  machine: machineInfo(),
  heapMb,
  loadAverage: loadavg().map((n) => Number(n.toFixed(1))),
  steps,
});
process.stdout.write(`→ ${file}\n`);
