import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { configDigest, PARSED_AT_BUILD_FILE } from '#shared/config/checked-at-build.ts';
import { ConfigError, loadYamlConfig, parsedAtBuildJson, parseYamlConfig } from '#shared/config/load-yaml.ts';

const work = mkdtempSync(join(tmpdir(), 'kinship-parsed-at-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const Shop = z.object({ name: z.string().min(1), sendsPerSecond: z.number().int().positive() });
let folders = 0;

/** A config/ folder (a fresh path each time: the loader remembers each folder's build file for the process). */
function configFolder(files: Record<string, string>): string {
  const dir = join(work, `config-${++folders}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A build file claiming the values in `files` for the folder as it is now (the digest matches). */
function writeBuildFile(dir: string, files: Record<string, unknown>): void {
  writeFileSync(join(dir, PARSED_AT_BUILD_FILE), JSON.stringify({ digest: configDigest(dir), files }));
}

describe('config shipped already parsed by the build', () => {
  it('is used instead of parsing the YAML while its digest matches the files beside it', () => {
    const dir = configFolder({ 'shop.yaml': 'name: from yaml\nsendsPerSecond: 14\n' });
    writeBuildFile(dir, { 'shop.yaml': { name: 'from the build', sendsPerSecond: 14 } });
    expect(loadYamlConfig('shop.yaml', Shop, dir).name).toBe('from the build');
  });

  it('is never used once a config file changed after the build (stale digest): the YAML is parsed', () => {
    const dir = configFolder({ 'shop.yaml': 'name: from yaml\nsendsPerSecond: 14\n' });
    writeBuildFile(dir, { 'shop.yaml': { name: 'from the build', sendsPerSecond: 14 } });
    writeFileSync(join(dir, 'shop.yaml'), 'name: edited after the build\nsendsPerSecond: 14\n');
    expect(loadYamlConfig('shop.yaml', Shop, dir).name).toBe('edited after the build');
  });

  it('is still validated by the schema: a bad value fails the start, named with its line from the YAML', () => {
    const dir = configFolder({ 'shop.yaml': 'name: shop\nsendsPerSecond: 0\n' });
    writeBuildFile(dir, { 'shop.yaml': { name: 'shop', sendsPerSecond: 0 } });
    expect(() => loadYamlConfig('shop.yaml', Shop, dir)).toThrow(ConfigError);
    expect(() => loadYamlConfig('shop.yaml', Shop, dir)).toThrow(/shop\.yaml:2: sendsPerSecond:/);
  });

  it('holds what parsing the YAML gives, for files in config/ and in its sub-folders, and leaves the digest unchanged', () => {
    const Template = z.object({ subject: z.string(), locales: z.array(z.string()) });
    const dir = configFolder({ 'shop.yaml': 'name: shop\nsendsPerSecond: 14\n', 'templates/thanks/template.yaml': 'subject: Thanks\nlocales: [en, is]\n', 'templates/thanks/en.txt': 'Hi' });
    const fromYaml = { shop: loadYamlConfig('shop.yaml', Shop, dir), template: parseYamlConfig(join(dir, 'templates/thanks/template.yaml'), Template) };
    const digest = configDigest(dir);
    writeFileSync(join(dir, PARSED_AT_BUILD_FILE), parsedAtBuildJson(dir));
    expect(configDigest(dir)).toBe(digest);
    const built = z.object({ files: z.record(z.string(), z.unknown()) }).parse(JSON.parse(parsedAtBuildJson(dir)));
    expect(Object.keys(built.files).sort()).toEqual(['shop.yaml', 'templates/thanks/template.yaml']);
    expect(built.files['shop.yaml']).toEqual(fromYaml.shop);
    const template = parseYamlConfig(join(dir, 'templates/thanks/template.yaml'), Template);
    expect(template.ok && fromYaml.template.ok && template.data).toEqual(fromYaml.template.ok && fromYaml.template.data);
    expect(template.ok && template.lineOf(['subject'])).toBeUndefined();
  });

  it('leaves out a file that does not parse, so the start parses it and reports its line', () => {
    const dir = configFolder({ 'shop.yaml': 'name: [unclosed\n' });
    writeFileSync(join(dir, PARSED_AT_BUILD_FILE), parsedAtBuildJson(dir));
    expect(() => loadYamlConfig('shop.yaml', Shop, dir)).toThrow(/shop\.yaml:\d+: \(syntax\)/);
  });
});
