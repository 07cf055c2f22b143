import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchDirectory, isBenchModule, writeBenchResult } from './bench-harness.ts';

/**
 * `npm run bench` runs every bench/<name>.ts; `npm run bench -- ingest` only those whose name contains
 * "ingest" (several filters: any of them). Results go to bench/results/<name>.json.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'WARN';

const NOT_BENCHES = new Set(['run.ts', 'bench-harness.ts']);
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const names = (await readdir(benchDirectory))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !NOT_BENCHES.has(file))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();
const selected = filters.length === 0 ? names : names.filter((name) => filters.some((filter) => name.includes(filter)));
if (selected.length === 0) {
  process.stderr.write(`no bench matches ${filters.join(', ')}; benches: ${names.join(', ')}\n`);
  process.exit(2);
}

let failed = 0;
for (const name of selected) {
  const mod: unknown = await import(pathToFileURL(join(benchDirectory, `${name}.ts`)).href);
  if (!isBenchModule(mod)) {
    process.stderr.write(`bench/${name}.ts does not export { description, run } (see bench/bench-harness.ts); skipped\n`);
    failed++;
    continue;
  }
  process.stdout.write(`\n▶ ${name}: ${mod.description}\n`);
  try {
    const report = await mod.run();
    const file = await writeBenchResult(name, report.result);
    process.stdout.write(`${report.summary.map((line) => `  ${line}`).join('\n')}\n  → ${file}\n`);
  } catch (error) {
    failed++;
    process.stderr.write(`bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
