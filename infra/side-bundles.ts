import { basename, join } from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { FunctionSpec } from '#shared/topology.ts';

/**
 * NodejsFunction bundles one entry into index.mjs. Two kinds of code a function needs are better as files of their
 * own beside it, bundled by these commands (run after bundling, with the same esbuild and options):
 * - worker-thread entries (`spec.workers`): `<name>.mjs`, found by `new URL('./<name>.mjs', import.meta.url)`;
 * - lazy modules (`lazyModulesOf(spec)`): `<name>.mjs`, left out of index.mjs (`externalModules`) and reached through the
 *   asset's package.json `imports`, so `await import('#shared/…')` resolves to the same specifier as in the repository.
 *   esbuild would otherwise inline the module behind a lazy init: not evaluated at start, but still parsed (V8
 *   compiles the whole file: ~0.1 ms of init CPU per KB, bench/cold-start.ts).
 */
export function sideBundleCommands(
  spec: FunctionSpec,
  inputDir: string,
  outputDir: string,
  bundling: Pick<BundlingOptions, 'target' | 'mainFields' | 'banner'>,
): string[] {
  const esbuild = join(inputDir, 'node_modules', '.bin', 'esbuild');
  const common = [
    '--bundle',
    '--platform=node',
    '--format=esm',
    `--target=${bundling.target ?? 'node22'}`,
    '--minify',
    '--sourcemap',
    '--sources-content=false',
    '--log-level=warning',
  ];
  const workers = (spec.workers ?? []).map(
    (entry) => `"${esbuild}" "${join(inputDir, entry)}" ${common.join(' ')} --outfile="${join(outputDir, `${basename(entry, '.ts')}.mjs`)}"`,
  );
  const lazy = lazyModulesOf(spec);
  // A lazy module is a library like any bundled dependency: it may need require() and the ESM builds, as index.mjs does.
  const asIndex = [
    ...common,
    ...(bundling.mainFields ? [`--main-fields=${bundling.mainFields.join(',')}`] : []),
    ...(bundling.banner ? [`--banner:js="${bundling.banner}"`] : []),
  ];
  const imports = Object.fromEntries(lazy.map((path) => [lazyModuleSpecifier(path), `./${lazyModuleFile(path)}`]));
  return [
    ...workers,
    ...lazy.map((path) => `"${esbuild}" "${join(inputDir, path)}" ${asIndex.join(' ')} --outfile="${join(outputDir, lazyModuleFile(path))}"`),
    `printf '%s' '${JSON.stringify({ private: true, imports })}' > "${join(outputDir, 'package.json')}"`,
  ];
}

/**
 * Lazy in every function: the YAML parser, which a cold start with the build's marker never loads
 * (shared/config/load-yaml.ts), and which the local runtime, the CLI and tests load from the repository.
 */
export const ALWAYS_LAZY_MODULES: readonly string[] = ['shared/config/yaml-parser.ts'];

/** A function's lazy modules: those every function has, and its own (`spec.lazyModules`). */
export function lazyModulesOf(spec: Pick<FunctionSpec, 'lazyModules'>): string[] {
  return [...ALWAYS_LAZY_MODULES, ...(spec.lazyModules ?? [])];
}

/** `shared/reports/report-charts.ts` → `#shared/reports/report-charts.ts`, as the code imports it (package.json `imports`). */
export function lazyModuleSpecifier(path: string): string {
  return `#${path}`;
}

/** The file a lazy module is bundled to, beside index.mjs. */
export function lazyModuleFile(path: string): string {
  return `${basename(path, '.ts')}.mjs`;
}
