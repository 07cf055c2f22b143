import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  return typeof value === 'object' && value !== null && 'run' in value && typeof value.run === 'function' && 'description' in value && typeof value.description === 'string';
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

export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - started) / 1000 };
}
