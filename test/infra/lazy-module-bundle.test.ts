import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { topology } from '#shared/topology.ts';
import { synthesizedFunctionAsset } from './function-asset.ts';

const CHARTS = 'shared/reports/report-charts.ts';

/**
 * show-report draws its charts with a module it imports only for the HTML page. This synthesizes the real function
 * WITH bundling (esbuild, as `cdk synth` runs it): the chart code must be its own file, absent from index.mjs (so a
 * cold start does not parse it), and the same `import('#shared/…')` must reach it under plain node in the asset.
 */
describe('lazy modules in a function asset', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'kinship-lazy-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  /** The function's synthesized asset and its index.mjs (each in a cloud assembly of its own: one asset per folder). */
  function assetOf(name: string): { asset: string; index: string } {
    const spec = topology.functions.find((fn) => fn.name === name);
    if (!spec) throw new Error(`${name} is not in the topology`);
    const asset = synthesizedFunctionAsset(spec, join(outdir, name));
    return { asset, index: readFileSync(join(asset, 'index.mjs'), 'utf8') };
  }

  /** Runs an ES module script with plain node in the asset folder (no repository around it) and parses what it prints. */
  function runInAsset(asset: string, script: string): unknown {
    return JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: asset, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } }),
    );
  }

  it('console and show-report declare the chart module lazy; no other function imports it', () => {
    const declaring = topology.functions.filter((fn) => fn.lazyModules?.includes(CHARTS)).map((fn) => fn.name);
    expect(declaring.sort()).toEqual(['console', 'show-report']);
  });

  it('show-report: index.mjs leaves the charts out, the asset carries them, and plain node draws a chart through the specifier', () => {
    const { asset, index } = assetOf('show-report');
    expect(index).toContain('import("#shared/reports/report-charts.ts")');
    // Observable Plot's own error text: present wherever Plot is bundled.
    expect(index).not.toContain('unable to format time ticks');
    expect(readFileSync(join(asset, 'report-charts.mjs'), 'utf8')).toContain('unable to format time ticks');
    const manifest = z.object({ imports: z.record(z.string(), z.string()) }).parse(JSON.parse(readFileSync(join(asset, 'package.json'), 'utf8')));
    expect(manifest.imports).toEqual({
      '#shared/config/yaml-parser.ts': './yaml-parser.mjs',
      '#shared/reports/report-charts.ts': './report-charts.mjs',
    });
    // The YAML parser too (every function): the yaml package's own error text is only in its file.
    expect(index).toContain('import("#shared/config/yaml-parser.ts")');
    expect(index).not.toContain('Implicit keys need to be on a single line');
    expect(readFileSync(join(asset, 'yaml-parser.mjs'), 'utf8')).toContain('Implicit keys need to be on a single line');

    const script = `
      const charts = await import('#shared/reports/report-charts.ts');
      const svg = charts.acquisitionChart('Where customers heard of us', [
        { heardFrom: 'friend', customers: 12, averageValue12mMinor: 4500, repeatRate: 0.4 },
        { heardFrom: 'social', customers: 5, averageValue12mMinor: 2100, repeatRate: 0.2 },
      ]);
      const { parseDocument } = await import('#shared/config/yaml-parser.ts');
      console.log(JSON.stringify({ svg: typeof svg === 'string' && svg.includes('<svg'), friend: typeof svg === 'string' && svg.includes('friend'), yaml: parseDocument('a: 1').toJS() }));
    `;
    expect(runInAsset(asset, script)).toEqual({ svg: true, friend: true, yaml: { a: 1 } });
  }, 180_000);

  it('plan-campaign: the full campaigns checks are a file of their own (cdk synth ran them), which still runs under plain node', () => {
    const { asset, index } = assetOf('plan-campaign');
    expect(index).toContain('import("#shared/campaigns/validate-campaigns.ts")');
    // Handlebars' parser error text: the template checker is only in the checks' file, the planner compiles no template.
    expect(index).not.toContain('Parse error on line');
    expect(readFileSync(join(asset, 'validate-campaigns.mjs'), 'utf8')).toContain('Parse error on line');
    const script = `
      const { assertCampaignsValid } = await import('#shared/campaigns/validate-campaigns.ts');
      assertCampaignsValid('config');
      console.log(JSON.stringify('valid'));
    `;
    expect(runInAsset(asset, script)).toBe('valid');
  }, 180_000);
});
