import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forEachScanPage } from '#shared/table/parallel-scan.ts';
import type { Table } from '#shared/table/table-client.ts';

/**
 * The shape every benchmark shares. A bench is `bench/<name>.ts` exporting `description` and `run()`;
 * `npm run bench` runs them all, `npm run bench -- <filter>` those whose name contains the filter. Each
 * measures against a baseline taken in the same run on the same machine, never against a number from
 * elsewhere. Helpers that are not benches live in bench/support/.
 */
export interface BenchReport {
  /** Human lines printed after the run. */
  summary: string[];
  /** Written to bench/results/<name>.json (the runner adds nothing; include `machine` and `date`). */
  result: Record<string, unknown>;
}

export interface BenchModule {
  description: string;
  run(): Promise<BenchReport>;
}

export function isBenchModule(value: unknown): value is BenchModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    'run' in value &&
    typeof value.run === 'function' &&
    'description' in value &&
    typeof value.description === 'string'
  );
}

export const benchDirectory = dirname(fileURLToPath(import.meta.url));

export async function writeBenchResult(name: string, result: Record<string, unknown>): Promise<string> {
  const file = join(benchDirectory, 'results', `${name}.json`);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** What the numbers were measured on. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    platform: `${os.type()} ${os.release()} (${os.arch()})`,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

export { freePort } from '#local/free-port.ts';

/** A bench's size from an environment variable (or its default), refused unless a whole number ≥ `min`. */
export function sizeFromEnvironment(variable: string, fallback: number, min: number): number {
  const text = process.env[variable];
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`${variable} must be a whole number ≥ ${min}, got ${text}`);
  return value;
}

/** CPU time (user + system, ms) a process has used so far, from /proc on Linux; undefined elsewhere or once it is gone. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name: state is 3rd, utime 14th, stime 15th (proc(5)); the name may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Wall time and the CPU this process and `otherPids` spent while `fn` ran. */
export async function timedWithCpu<T>(
  fn: () => Promise<T>,
  otherPids: Record<string, number | undefined> = {},
): Promise<{ value: T; seconds: number; cpuMs: Record<string, number> }> {
  const before = process.cpuUsage();
  const othersBefore = Object.fromEntries(Object.entries(otherPids).map(([name, pid]) => [name, processCpuMs(pid)]));
  const { value, seconds } = await timed(fn);
  const own = process.cpuUsage(before);
  const cpuMs: Record<string, number> = { node: (own.user + own.system) / 1000 };
  for (const [name, pid] of Object.entries(otherPids)) {
    const start = othersBefore[name];
    const end = processCpuMs(pid);
    if (start !== undefined && end !== undefined) cpuMs[name] = end - start;
  }
  return { value, seconds, cpuMs };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - started) / 1000 };
}

/** The baseline a user would write to read a whole table: a parallel Scan over `segments`, counting the items. */
export async function bareScan(table: Table, segments: number): Promise<number> {
  let items = 0;
  await forEachScanPage(table, segments, {}, (page) => {
    items += page.Items?.length ?? 0;
  });
  return items;
}
