import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKED_AT_BUILD_MARKER, configCheckedAtBuild, configDigest } from '#shared/config/checked-at-build.ts';
import { ConfigError } from '#shared/config/load-yaml.ts';
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

const markChecked = (dir: string) => writeFileSync(join(dir, CHECKED_AT_BUILD_MARKER), configDigest(dir));
/** Compiles, but `campaigns validate` refuses it: the template uses a variable the welcome campaign does not have. */
const uncheckedMistake = (text: string) => `${text}{{coupon.code}}\n`;

describe('config checked at build', () => {
  it('is not assumed without the marker', () => {
    expect(configCheckedAtBuild(configCopy())).toBe(false);
  });

  it('holds while the files are the ones the marker digested', () => {
    const dir = configCopy();
    markChecked(dir);
    expect(configCheckedAtBuild(dir)).toBe(true);
  });

  it('lapses when any file changes after the check, templates included', () => {
    const dir = configCopy();
    markChecked(dir);
    edit(dir, join('templates', 'welcome', 'en.txt'), (text) => `${text} `);
    expect(configCheckedAtBuild(dir)).toBe(false);
  });

  it("the sender's cold start runs the full campaigns checks when the marker is missing", () => {
    const dir = configCopy();
    edit(dir, join('templates', 'welcome', 'en.txt'), uncheckedMistake);
    expect(() => loadSendingSettings(dir)).toThrow(ConfigError);
  });

  it("the sender's cold start skips repeating them on files the build checked", () => {
    const dir = configCopy();
    edit(dir, join('templates', 'welcome', 'en.txt'), uncheckedMistake);
    // Stands for a build whose gate passed these bytes: the skip is what this marker buys, so the start succeeds.
    markChecked(dir);
    expect(loadSendingSettings(dir).campaigns.size).toBeGreaterThan(0);
  });

  it('a stale marker does not skip them', () => {
    const dir = configCopy();
    markChecked(dir);
    edit(dir, join('templates', 'welcome', 'en.txt'), uncheckedMistake);
    expect(() => loadSendingSettings(dir)).toThrow(ConfigError);
  });
});
