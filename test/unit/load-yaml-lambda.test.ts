import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkedAtBuildMarker } from '#shared/config/build-marker.ts';
import { CHECKED_AT_BUILD_MARKER } from '#shared/config/checked-at-build.ts';

const repoConfig = join(process.cwd(), 'config');
const roots: string[] = [];
const parser = { loaded: false };

afterEach(() => {
  vi.unstubAllEnvs();
  vi.doUnmock('#shared/config/yaml-parser.ts');
  vi.resetModules();
  parser.loaded = false;
  for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A Lambda task root: config/ beside the code, with the build's marker or without it. */
function taskRoot(marked: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'kinship-task-root-'));
  roots.push(root);
  cpSync(repoConfig, join(root, 'config'), { recursive: true });
  if (marked) writeFileSync(join(root, 'config', CHECKED_AT_BUILD_MARKER), checkedAtBuildMarker(join(root, 'config')));
  return root;
}

async function startAsLambda(root: string) {
  vi.stubEnv('LAMBDA_TASK_ROOT', root);
  vi.stubEnv('KINSHIP_CONFIG_DIR', '');
  vi.resetModules();
  // A fresh module graph, with the parser's module noting whether anything imports it.
  vi.doMock('#shared/config/yaml-parser.ts', async (original) => {
    parser.loaded = true;
    return original();
  });
  return import('#shared/config/shop-config.ts');
}

describe('the YAML parser at a Lambda cold start', () => {
  it('is never loaded when config/ carries the build marker: every file comes from its values', async () => {
    const { loadShopConfig } = await startAsLambda(taskRoot(true));
    expect(loadShopConfig().shop.baseCurrency).toBe('EUR');
    expect(parser.loaded).toBe(false);
  });

  it('is loaded, and parses the files, when the marker is missing', async () => {
    const { loadShopConfig } = await startAsLambda(taskRoot(false));
    expect(loadShopConfig().shop.baseCurrency).toBe('EUR');
    expect(parser.loaded).toBe(true);
  });
});
