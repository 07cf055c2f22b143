import { join } from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type BuildOptions, type Metafile } from 'esbuild';

/**
 * esbuild's JS API with the options NodejsFunction turns `bundling` into (aws-cdk-lib's Bundling builds the
 * esbuild command line from the same props: --bundle --platform=node --target --format --minify --sourcemap
 * --sources-content --external --loader --define --keep-names --banner --footer --main-fields --inject), so a
 * bench measures the bundle Lambda would load. test/unit/lambda-bundle.test.ts checks the bytes against CDK's own.
 */
export function esbuildOptionsFor(bundling: Omit<BundlingOptions, 'commandHooks'>, runtimeTarget = 'node22'): BuildOptions {
  const unmapped = UNMAPPED_OPTIONS.filter((key) => bundling[key] !== undefined);
  if (unmapped.length > 0) throw new Error(`bench/support/lambda-bundle.ts does not map bundling.${unmapped.join(', bundling.')} yet: add it before measuring`);
  const externals = bundling.externalModules ?? (bundling.bundleAwsSDK ? [] : ['@aws-sdk/*']);
  const sourceMapMode = bundling.sourceMapMode === undefined || bundling.sourceMapMode === 'default' ? true : bundling.sourceMapMode;
  return {
    bundle: true,
    platform: 'node',
    target: bundling.target ?? runtimeTarget,
    ...(bundling.format ? { format: bundling.format } : {}),
    minify: bundling.minify ?? false,
    ...(bundling.sourceMap ? { sourcemap: sourceMapMode } : {}),
    ...(bundling.sourcesContent === false ? { sourcesContent: false } : {}),
    external: [...externals, ...(bundling.nodeModules ?? [])],
    ...(bundling.define ? { define: bundling.define } : {}),
    ...(bundling.keepNames ? { keepNames: true } : {}),
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
    ...(bundling.footer ? { footer: { js: bundling.footer } } : {}),
    ...(bundling.mainFields ? { mainFields: bundling.mainFields } : {}),
    ...(bundling.inject ? { inject: bundling.inject } : {}),
    ...(bundling.esbuildArgs ? { alias: aliasesOf(bundling.esbuildArgs) } : {}),
  };
}

/** `esbuildArgs` as the JS API's options: only `--alias` (`name=path`, one or a list) is mapped; any other flag is refused. */
function aliasesOf(esbuildArgs: NonNullable<BundlingOptions['esbuildArgs']>): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const [flag, value] of Object.entries(esbuildArgs)) {
    if (flag !== '--alias' || typeof value === 'boolean')
      throw new Error(`bench/support/lambda-bundle.ts does not map bundling.esbuildArgs ${flag} yet: add it before measuring`);
    for (const pair of Array.isArray(value) ? value : [value]) {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`bundling.esbuildArgs --alias ${pair}: expected name=path`);
      aliases[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  return aliases;
}

/** Options that change the bundle which this mapping does not translate (it refuses them rather than measure something else). */
const UNMAPPED_OPTIONS = [
  'loader',
  'tsconfig',
  'preCompilation',
  'charset',
  'logLevel',
  'forceDockerBundling',
] as const satisfies readonly (keyof BundlingOptions)[];

/** The file NodejsFunction writes: index.mjs for an ESM bundle, index.js otherwise. */
export function bundleFileName(bundling: Pick<BundlingOptions, 'format'>): string {
  return bundling.format === 'esm' ? 'index.mjs' : 'index.js';
}

export interface LambdaBundle {
  /** Absolute path of the bundle file. */
  file: string;
  bytes: number;
  sourceMapBytes: number;
  metafile: Metafile;
}

export type BundleSource = { entry: string } | { contents: string; sourcefile: string };

/** Bundles one handler into `outdir` as NodejsFunction would; `projectRoot` is the cwd CDK runs esbuild from. */
export async function bundleLambda(
  source: BundleSource,
  outdir: string,
  bundling: Omit<BundlingOptions, 'commandHooks'>,
  projectRoot: string,
): Promise<LambdaBundle> {
  const file = join(outdir, bundleFileName(bundling));
  const result = await build({
    ...esbuildOptionsFor(bundling),
    ...('entry' in source
      ? { entryPoints: [source.entry] }
      : { stdin: { contents: source.contents, sourcefile: source.sourcefile, resolveDir: projectRoot, loader: 'ts' } }),
    absWorkingDir: projectRoot,
    outfile: file,
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.metafile.outputs;
  const bytesOf = (path: string) => Object.entries(output).find(([name]) => join(projectRoot, name) === path)?.[1].bytes ?? 0;
  return { file, bytes: bytesOf(file), sourceMapBytes: bytesOf(`${file}.map`), metafile: result.metafile };
}

/** The package an input file belongs to (`@aws-sdk/client-sesv2`, `zod`), or `(app)` for the repository's own code. */
export function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return '(app)';
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  const first = parts[0] ?? '';
  return first.startsWith('@') ? `${first}/${parts[1] ?? ''}` : first;
}

/** Bytes each package contributes to the bundle (after minification), largest first. */
export function bytesByPackage(metafile: Metafile): { name: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Bytes each input file contributes, largest first. */
export function bytesByModule(metafile: Metafile): { name: string; bytes: number }[] {
  const rows: { name: string; bytes: number }[] = [];
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) rows.push({ name: input, bytes: bytesInOutput });
  }
  return rows.sort((a, b) => b.bytes - a.bytes);
}
