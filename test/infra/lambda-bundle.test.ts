import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { bundleLambda, esbuildOptionsFor, type LambdaBundle } from '#bench/support/lambda-bundle.ts';
import { handlerEntry, topology } from '#shared/topology.ts';
// eslint-disable-next-line no-restricted-imports -- package.json has no #infra/* alias; the bench must bundle as infra does.
import { AppFunction, LAMBDA_BUNDLING, lambdaBundlingFor, repoRoot, SEMVER_STAND_IN } from '../../infra/app-function.ts';
// eslint-disable-next-line no-restricted-imports -- as above: the synth gate is infra's own code.
import { checkConfigForSynth } from '../../infra/config-gate.ts';
import { CHECKED_AT_BUILD_MARKER, configListedAtBuild, filesCheckedAtBuild, filesUnder, relativePath } from '#shared/config/checked-at-build.ts';

const cdkJson = z.object({ context: z.record(z.string(), z.unknown()) }).parse(JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')));
const work = mkdtempSync(join(tmpdir(), 'kinship-lambda-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const digest = (text: string) => `${text.length} chars, sha256 ${createHash('sha256').update(text).digest('hex')}`;

/** Synthesizes one AppFunction with bundling on (the stack tests skip it), after the synth gate as infra/app.ts runs it. */
function bundledByCdk(entry: string): { code: string; assetDir: string } {
  checkConfigForSynth(join(repoRoot, 'config'));
  const spec = topology.functions.find((fn) => fn.name === 'dispatch-due-sends');
  if (!spec) throw new Error('dispatch-due-sends is not in the topology');
  const outdir = join(work, 'cdk.out');
  // The feature flags `cdk synth` uses (some decide NodejsFunction's esbuild arguments), with bundling on.
  const app = new App({ outdir, context: cdkJson.context });
  new AppFunction(new Stack(app, 'BundleCheck'), 'Function', { spec, entry });
  app.synth();
  const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.') && readdirSync(join(outdir, name)).includes('index.mjs'));
  expect(assets).toHaveLength(1);
  const assetDir = join(outdir, assets[0] ?? '');
  return { code: readFileSync(join(assetDir, 'index.mjs'), 'utf8'), assetDir };
}

let synthesized: { code: string; assetDir: string } | undefined;
const entry = join(repoRoot, handlerEntry({ name: 'dispatch-due-sends' }));
const synthesizedOnce = () => (synthesized ??= bundledByCdk(entry));
let benchBundle: Promise<LambdaBundle> | undefined;
const benchBundleOnce = () => (benchBundle ??= bundleLambda({ entry }, join(work, 'bench'), lambdaBundlingFor({}), repoRoot));

describe('the cold-start bench bundles as NodejsFunction does', () => {
  it('builds a handler byte for byte the same as cdk synth with the AppFunction bundling options', async () => {
    const fromCdk = synthesizedOnce().code;
    const fromBench = await benchBundleOnce();
    expect(fromBench.file.endsWith('index.mjs')).toBe(true);
    // The banner and the minified ESM body are where a divergent option would show.
    expect(fromCdk.startsWith("import { createRequire } from 'node:module';")).toBe(true);
    // Compared by digest: a 600 KB minified line makes an unreadable diff.
    expect(digest(readFileSync(fromBench.file, 'utf8'))).toBe(digest(fromCdk));
  });

  it('ships config/ with the marker that the synth gate checked exactly these files, so the sender skips repeating the checks', () => {
    const assetConfig = join(synthesizedOnce().assetDir, 'config');
    expect(readdirSync(assetConfig)).toContain(CHECKED_AT_BUILD_MARKER);
    expect(configListedAtBuild(assetConfig)).toBe(true);
    const files = filesUnder(assetConfig)
      .map((file) => relativePath(assetConfig, file))
      .filter((path) => path !== CHECKED_AT_BUILD_MARKER);
    expect(files.length).toBeGreaterThan(50);
    expect(filesCheckedAtBuild(assetConfig, files)).toBe(true);
  });

  it('loads the semver stand-in, whose one importer is the X-Ray SDK patcher for the v2 AWS SDK (any other must be looked at)', async () => {
    const { metafile } = await benchBundleOnce();
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain(SEMVER_STAND_IN);
    expect(inputs.filter((input) => /node_modules\/semver\//.test(input))).toEqual([]);
    const importers = Object.entries(metafile.inputs)
      .filter(([, input]) => input.imports.some((imported) => imported.path === SEMVER_STAND_IN))
      .map(([name]) => name);
    expect(importers).toEqual(['node_modules/aws-xray-sdk-core/dist/lib/patchers/aws_p.js']);
  });

  it('maps esbuildArgs --alias to the JS API and refuses any other esbuild flag', () => {
    expect(esbuildOptionsFor(LAMBDA_BUNDLING).alias).toEqual({ semver: `./${SEMVER_STAND_IN}` });
    expect(() => esbuildOptionsFor({ ...LAMBDA_BUNDLING, esbuildArgs: { '--tree-shaking': 'false' } })).toThrow(/esbuildArgs --tree-shaking/);
  });

  it('refuses bundling options it does not translate rather than measure a different bundle', () => {
    expect(() => esbuildOptionsFor({ ...LAMBDA_BUNDLING, loader: { '.txt': 'text' } })).toThrow(/bundling\.loader/);
  });

  it('keeps the AWS SDK in the bundle when bundleAwsSDK is set, as NodejsFunction does, and marks it external otherwise', () => {
    expect(esbuildOptionsFor(LAMBDA_BUNDLING).external).toEqual([]);
    expect(esbuildOptionsFor({ ...LAMBDA_BUNDLING, bundleAwsSDK: false }).external).toEqual(['@aws-sdk/*']);
  });
});
