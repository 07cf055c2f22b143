import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkedAtBuildMarker } from '#shared/config/build-marker.ts';
import { CHECKED_AT_BUILD_MARKER } from '#shared/config/checked-at-build.ts';

const repoConfig = join(process.cwd(), 'config');
const roots: string[] = [];
const parser = { loaded: false };
const checks = { loaded: false };

afterEach(() => {
  vi.unstubAllEnvs();
  vi.doUnmock('#shared/config/yaml-parser.ts');
  vi.doUnmock('#shared/campaigns/validate-campaigns.ts');
  vi.resetModules();
  parser.loaded = false;
  checks.loaded = false;
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
  vi.doMock('#shared/campaigns/validate-campaigns.ts', async (original) => {
    checks.loaded = true;
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

describe("the full campaigns checks at the planner's and the sender's cold start", () => {
  it('are never loaded when config/ carries the build marker; a template changed after the build stops its first use', async () => {
    const root = taskRoot(true);
    await startAsLambda(root);
    const { loadPlanningSettings } = await import('#shared/campaigns/checked-campaigns.ts');
    const { loadSendingSettings } = await import('#shared/sending/sending-settings.ts');
    expect(loadPlanningSettings().campaigns.has('win-back')).toBe(true);
    const settings = loadSendingSettings();
    expect(settings.templates.kindOf('win-back')).toBe('marketing');
    writeFileSync(join(root, 'config', 'templates', 'welcome', 'en.txt'), 'changed after the build {{coupon.code}}');
    expect(() => settings.templates.kindOf('welcome')).toThrow(/welcome\/en\.txt: not the file the build checked .*deploy again/);
    expect(checks.loaded).toBe(false);
  });

  it('are loaded, and run, when the marker is missing', async () => {
    const root = taskRoot(false);
    writeFileSync(join(root, 'config', 'templates', 'welcome', 'en.txt'), 'a mistake {{coupon.code}}');
    await startAsLambda(root);
    const { loadPlanningSettings } = await import('#shared/campaigns/checked-campaigns.ts');
    expect(() => loadPlanningSettings()).toThrow(/welcome\/en\.txt/);
    expect(checks.loaded).toBe(true);
  });
});
