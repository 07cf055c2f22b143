import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeBenchResult } from '../bench-harness.ts';
import { isReliabilityScenario, reliabilityDirectory } from '../support/reliability.ts';
import type { ReliabilityScale } from './scenario.ts';

/**
 * `npm run reliability` runs every bench/reliability/<name>.ts at full size; `npm run reliability -- form` only those
 * whose name contains "form" (several filters: any of them); `--ci` (or RELIABILITY_SCALE=ci) runs the CI size.
 * Results go to bench/results/reliability-<name>.json; the exit code is 1 if any scenario broke a guarantee or failed.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'WARN';

const NOT_SCENARIOS = new Set(['run.ts', 'scenario.ts']);
const args = process.argv.slice(2);
const scaleText = args.includes('--ci') ? 'ci' : (process.env.RELIABILITY_SCALE ?? 'full');
if (scaleText !== 'ci' && scaleText !== 'full') {
  process.stderr.write(`RELIABILITY_SCALE must be "full" or "ci", got "${scaleText}"\n`);
  process.exit(2);
}
const scale: ReliabilityScale = scaleText;
const filters = args.filter((arg) => !arg.startsWith('-'));
const names = (await readdir(reliabilityDirectory))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !NOT_SCENARIOS.has(file))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();
const selected = filters.length === 0 ? names : names.filter((name) => filters.some((filter) => name.includes(filter)));
if (selected.length === 0) {
  process.stderr.write(`no reliability scenario matches ${filters.join(', ')}; scenarios: ${names.join(', ')}\n`);
  process.exit(2);
}

const outcomes: { name: string; outcome: string }[] = [];
for (const name of selected) {
  const mod: unknown = await import(pathToFileURL(join(reliabilityDirectory, `${name}.ts`)).href);
  if (!isReliabilityScenario(mod)) {
    process.stderr.write(`bench/reliability/${name}.ts does not export { description, run } (see bench/reliability/scenario.ts)\n`);
    outcomes.push({ name, outcome: 'not a scenario' });
    continue;
  }
  process.stdout.write(`\n▶ ${name} (${scale}): ${mod.description}\n`);
  try {
    const report = await mod.run(scale);
    const file = scale === 'full' ? await writeBenchResult(`reliability-${name}`, { scale, ...report.result, violations: report.violations }) : undefined;
    process.stdout.write(`${report.summary.map((line) => `  ${line}`).join('\n')}\n`);
    for (const violation of report.violations) process.stdout.write(`  ✗ ${violation}\n`);
    if (file) process.stdout.write(`  → ${file}\n`);
    outcomes.push({ name, outcome: report.violations.length === 0 ? 'passed' : `${report.violations.length} violation(s)` });
  } catch (error) {
    process.stderr.write(`reliability ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    outcomes.push({ name, outcome: 'failed to run' });
  }
}
process.stdout.write(`\n${outcomes.map(({ name, outcome }) => `${outcome === 'passed' ? '✓' : '✗'} ${name}: ${outcome}`).join('\n')}\n`);
process.exitCode = outcomes.every(({ outcome }) => outcome === 'passed') ? 0 : 1;
