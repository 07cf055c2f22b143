import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { topology } from '#shared/topology.ts';
import { synthesizedFunctionAsset } from './function-asset.ts';

/**
 * The segmenter's compute starts worker threads from rank-worker.mjs beside its index.mjs. This synthesizes the
 * real function WITH bundling (esbuild, as `cdk synth` runs it) and runs the bundled worker under plain node —
 * no tsx, no repository around it — as Lambda would.
 */
describe('run-segmenter bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'kinship-worker-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const spec = topology.functions.find((fn) => fn.name === 'run-segmenter');

  it('carries a worker bundle that plain node runs, and the handler bundle looks for it by that name', () => {
    if (!spec) throw new Error('run-segmenter is not in the topology');
    const asset = synthesizedFunctionAsset(spec, outdir);
    expect(readdirSync(asset)).toContain('rank-worker.mjs');
    expect(readFileSync(join(asset, 'index.mjs'), 'utf8')).toContain('rank-worker.mjs');

    // Ids "c_b", "c_a", "c_ab" (rows 0, 1, 2) as the main thread encodes them; sorted by id: rows 1, 2, 0.
    const script = `
      import { Worker } from 'node:worker_threads';
      const worker = new Worker(${JSON.stringify(join(asset, 'rank-worker.mjs'))});
      const codes = new Uint8Array(new SharedArrayBuffer(10));
      codes.set(new TextEncoder().encode('c_bc_ac_ab'));
      const offsets = new Int32Array(new SharedArrayBuffer(16));
      offsets.set([0, 3, 6, 10]);
      const rows = new Int32Array(new SharedArrayBuffer(12));
      rows.set([0, 1, 2]);
      worker.once('message', (message) => { console.log(JSON.stringify({ id: message.id, rows: Array.from(message.rows ?? []), error: message.error })); void worker.terminate(); });
      worker.postMessage({ id: 7, task: { kind: 'ids', ids: { codes, offsets }, rows, after: -1, upTo: -1 } });
    `;
    const check = join(outdir, 'check-worker.mjs');
    writeFileSync(check, script);
    const output = execFileSync(process.execPath, [check], { cwd: outdir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(JSON.parse(output)).toEqual({ id: 7, rows: [1, 2, 0] });
  }, 180_000);
});
