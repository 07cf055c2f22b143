import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { checkedAtBuildMarker } from '#shared/config/build-marker.ts';
import { CHECKED_AT_BUILD_MARKER, configListedAtBuild, contentCheckedAtBuild, filesCheckedAtBuild, parsedAtBuild } from '#shared/config/checked-at-build.ts';
import { loadShopConfig } from '#shared/config/shop-config.ts';
import { loadCatalogs } from '#shared/i18n/catalogs.ts';
import { ConfigError, parseYamlConfig } from '#shared/config/load-yaml.ts';
import { loadSendingSettings } from '#shared/sending/sending-settings.ts';

const repoConfig = join(process.cwd(), 'config');
const copies: string[] = [];
afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kinship-checked-at-build-'));
  copies.push(dir);
  cpSync(repoConfig, dir, { recursive: true });
  return dir;
}

function edit(dir: string, file: string, change: (text: string) => string): void {
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
}

const markChecked = (dir: string) => writeFileSync(join(dir, CHECKED_AT_BUILD_MARKER), checkedAtBuildMarker(dir));
/** A marker for these files whose parsed values were changed after the build wrote it: shows which source a loader read. */
function markCheckedWith(dir: string, change: (parsed: Record<string, unknown>) => void): void {
  const marker: unknown = JSON.parse(checkedAtBuildMarker(dir));
  if (typeof marker !== 'object' || marker === null || !('parsed' in marker) || typeof marker.parsed !== 'object' || marker.parsed === null)
    throw new Error('unexpected marker');
  const parsed = { ...marker.parsed };
  change(parsed);
  writeFileSync(join(dir, CHECKED_AT_BUILD_MARKER), JSON.stringify({ ...marker, parsed }));
}
/** Compiles, but `campaigns validate` refuses it: the template uses a variable the welcome campaign does not have. */
const uncheckedMistake = (text: string) => `${text}{{coupon.code}}\n`;

describe('config checked at build', () => {
  it('is not assumed without the marker', () => {
    expect(configListedAtBuild(configCopy())).toBe(false);
  });

  it('holds while the marker lists exactly the files present; each file read is then checked by its own hash', () => {
    const dir = configCopy();
    markChecked(dir);
    expect(configListedAtBuild(dir)).toBe(true);
    const file = join('templates', 'welcome', 'en.txt');
    const source = readFileSync(join(dir, file), 'utf8');
    expect(contentCheckedAtBuild(dir, 'templates/welcome/en.txt', source)).toBe(true);
    expect(contentCheckedAtBuild(dir, 'templates/welcome/en.txt', `${source} `)).toBe(false);
    expect(contentCheckedAtBuild(dir, 'templates/welcome/none.txt', source)).toBe(false);
  });

  it('lapses when a file is added or removed after the check, templates included', () => {
    const added = configCopy();
    markChecked(added);
    writeFileSync(join(added, 'templates', 'welcome', 'xx.txt'), 'stray');
    expect(configListedAtBuild(added)).toBe(false);
    const removed = configCopy();
    markChecked(removed);
    rmSync(join(removed, 'templates', 'welcome', 'en.txt'));
    expect(configListedAtBuild(removed)).toBe(false);
  });

  it("the sender's cold start runs the full campaigns checks when the marker is missing", () => {
    const dir = configCopy();
    edit(dir, join('templates', 'welcome', 'en.txt'), uncheckedMistake);
    expect(() => loadSendingSettings(dir)).toThrow(ConfigError);
  });

  it('the sender skips repeating them on files the build checked, its templates included', () => {
    const dir = configCopy();
    edit(dir, join('templates', 'welcome', 'en.txt'), uncheckedMistake);
    // Stands for a build whose gate passed these bytes: the skip is what this marker buys, so the start succeeds.
    markChecked(dir);
    const settings = loadSendingSettings(dir);
    expect(settings.campaigns.size).toBeGreaterThan(0);
    expect(settings.templates.kindOf('welcome')).toBe('marketing');
  });

  it('a template changed after the build is caught when the sender first reads it: the full checks run then', () => {
    const dir = configCopy();
    markChecked(dir);
    edit(dir, join('templates', 'welcome', 'en.txt'), uncheckedMistake);
    // The marker still lists these files, so the start reads no template and skips the checks...
    const settings = loadSendingSettings(dir);
    expect(settings.templates.kindOf('win-back')).toBe('marketing');
    // ...and the changed folder, read at its first use, does not match its hash: the checks run and stop it.
    expect(() => settings.templates.kindOf('welcome')).toThrow(ConfigError);
    expect(() => settings.templates.kindOf('welcome')).toThrow(/welcome\/en\.txt/);
  });

  it('gives each YAML file the values the build parsed, by path under config/, templates included', () => {
    const dir = configCopy();
    markChecked(dir);
    const shop = parsedAtBuild(join(dir, 'shop.yaml'));
    expect(shop?.value).toMatchObject({ shop: { name: loadShopConfig(repoConfig).shop.name } });
    expect(parsedAtBuild(join(dir, 'templates', 'service-recovery', 'template.yaml'))?.value).toEqual({ kind: 'service' });
    expect(parsedAtBuild(join(dir, 'messages', 'en.json'))).toBeUndefined();
  });

  it('a loader reads the values from a matching marker instead of the YAML, and still validates them', () => {
    const dir = configCopy();
    markCheckedWith(dir, (parsed) => {
      parsed['shop.yaml'] = { ...Object(parsed['shop.yaml']), shop: { ...Object(Object(parsed['shop.yaml']).shop), name: 'Read from the marker' } };
    });
    expect(loadShopConfig(dir).shop.name).toBe('Read from the marker');
    const broken = configCopy();
    markCheckedWith(broken, (parsed) => {
      parsed['shop.yaml'] = { shop: { name: 42 } };
    });
    // Values the schema refuses are not used: the YAML is parsed instead (the file itself is fine).
    expect(loadShopConfig(broken).shop.name).toBe(loadShopConfig(repoConfig).shop.name);
  });

  it('a stale marker is not read: the YAML is parsed, and its mistakes are named with their line', () => {
    const dir = configCopy();
    markChecked(dir);
    edit(dir, 'shop.yaml', (text) => text.replace(/baseCurrency: EUR/, 'baseCurrency: EURO'));
    expect(() => loadShopConfig(dir)).toThrow(/shop\.yaml:\d+: shop\.baseCurrency/);
    expect(parsedAtBuild(join(dir, 'shop.yaml'))).toBeUndefined();
  });

  it('names lines from the YAML even when the values came from the marker', () => {
    const dir = configCopy();
    markCheckedWith(dir, (parsed) => {
      parsed['shop.yaml'] = { ...Object(parsed['shop.yaml']), shop: { ...Object(Object(parsed['shop.yaml']).shop), name: 'Read from the marker' } };
    });
    const parsed = parseYamlConfig(join(dir, 'shop.yaml'), z.object({ shop: z.object({ name: z.string() }) }).loose());
    if (!parsed.ok) throw new Error('expected the marker values to validate');
    expect(parsed.data.shop.name).toBe('Read from the marker');
    const nameLine =
      readFileSync(join(dir, 'shop.yaml'), 'utf8')
        .split('\n')
        .findIndex((line) => line.trim().startsWith('name:')) + 1;
    expect(parsed.lineOf(['shop', 'name'])).toBe(nameLine);
  });

  it('message catalogs: the comparison with English is skipped on files the build checked, and runs on a stale marker', () => {
    const mismatch = (text: string) => text.replace('{seconds}', '{sekuntia}');
    const checked = configCopy();
    edit(checked, join('messages', 'fi.json'), mismatch);
    // Stands for a build whose gate passed these bytes (the gate itself refuses them: test/infra/config-gate.test.ts).
    markChecked(checked);
    expect(loadCatalogs(join(checked, 'messages')).get('fi')?.get('page.rateLimited.body')).toContain('{sekuntia}');
    const stale = configCopy();
    markChecked(stale);
    edit(stale, join('messages', 'fi.json'), mismatch);
    expect(() => loadCatalogs(join(stale, 'messages'))).toThrow(/fi\.json: page\.rateLimited\.body: has placeholders/);
  });

  it('checks each file it reads by its own hash: a change elsewhere does not stop the values of unchanged files', () => {
    const dir = configCopy();
    markCheckedWith(dir, (parsed) => {
      parsed['shop.yaml'] = { ...Object(parsed['shop.yaml']), shop: { ...Object(Object(parsed['shop.yaml']).shop), name: 'Read from the marker' } };
    });
    edit(dir, join('templates', 'welcome', 'en.txt'), (text) => `${text} `);
    expect(loadShopConfig(dir).shop.name).toBe('Read from the marker');
    expect(filesCheckedAtBuild(dir, ['shop.yaml', 'messages/en.json'])).toBe(true);
    expect(filesCheckedAtBuild(dir, ['shop.yaml', 'templates/welcome/en.txt'])).toBe(false);
    expect(filesCheckedAtBuild(dir, ['no-such-file.yaml'])).toBe(false);
  });
});
