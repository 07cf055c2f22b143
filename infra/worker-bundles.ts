import { basename, join } from 'node:path';
import type { FunctionSpec } from '#shared/topology.ts';

/**
 * NodejsFunction bundles one entry; a function that starts worker threads also needs each worker's code as a file
 * in its asset. These commands (run after bundling, with the same esbuild) bundle every `spec.workers` entry to
 * `<name>.mjs` beside index.mjs, where the function's code looks for it (`new URL('./<name>.mjs', import.meta.url)`).
 */
export function workerBundleCommands(spec: FunctionSpec, inputDir: string, outputDir: string, target: string): string[] {
  const esbuild = join(inputDir, 'node_modules', '.bin', 'esbuild');
  return (spec.workers ?? []).map(
    (entry) =>
      `"${esbuild}" "${join(inputDir, entry)}" --bundle --platform=node --format=esm --target=${target} --minify --sourcemap --sources-content=false --log-level=warning --outfile="${join(outputDir, `${basename(entry, '.ts')}.mjs`)}"`,
  );
}
