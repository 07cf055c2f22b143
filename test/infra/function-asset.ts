import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type { FunctionSpec } from '#shared/topology.ts';
// eslint-disable-next-line no-restricted-imports -- package.json has no #infra/* alias yet; these tests need the real bundling.
import { AppFunction } from '../../infra/app-function.ts';

/**
 * Synthesizes one real function WITH bundling (esbuild, as `cdk synth` runs it; the stack tests skip it) into `outdir`
 * and returns its asset folder: index.mjs and whatever the bundling hooks put beside it.
 */
export function synthesizedFunctionAsset(spec: FunctionSpec, outdir: string): string {
  const app = new App({ outdir });
  new AppFunction(new Stack(app, 'FunctionAsset'), 'Function', { spec });
  const assembly = app.synth();
  const assets = readdirSync(assembly.directory)
    .map((name) => join(assembly.directory, name))
    .filter((dir) => existsSync(join(dir, 'index.mjs')));
  const [asset, ...others] = assets;
  if (!asset) throw new Error('no bundled asset in the cloud assembly');
  // Another synth's asset in the same folder would be found by chance (asset folders are named by their hash).
  if (others.length > 0) throw new Error(`${outdir} holds ${assets.length} assets: give each synth a folder of its own`);
  return asset;
}
