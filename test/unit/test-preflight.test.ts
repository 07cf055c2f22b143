import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { browserInstallHint, findChromium } from '#test/support/chromium.ts';
import { javaMajorVersion, missingPrerequisites } from '#test/preflight.ts';

function fakeExecutable(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, 0o755);
  return path;
}

const JAVA_17 = 'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)';
const found = (path: string) => () => ({ path });

describe('finding a Chromium or Chrome for the browser tests', () => {
  it('takes CHROME_PATH first, before anything on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kinship-browser-'));
    const chosen = fakeExecutable(join(dir, 'mine'), 'my-chrome');
    fakeExecutable(join(dir, 'bin'), 'chromium');
    expect(findChromium({ env: { CHROME_PATH: chosen, PATH: join(dir, 'bin') }, locations: [] })).toEqual({ path: chosen });
  });

  it('reports a CHROME_PATH that is not executable rather than quietly using another browser', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kinship-browser-'));
    fakeExecutable(join(dir, 'bin'), 'chromium');
    const notThere = join(dir, 'nothing-here');
    expect(findChromium({ env: { CHROME_PATH: notThere, PATH: join(dir, 'bin') }, locations: [] })).toEqual({ path: undefined, badChromePath: notThere });
  });

  it('finds google-chrome on PATH when there is no chromium', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kinship-browser-'));
    const chrome = fakeExecutable(join(dir, 'b'), 'google-chrome');
    expect(findChromium({ env: { PATH: [join(dir, 'a'), join(dir, 'b')].join(delimiter) }, locations: [] })).toEqual({ path: chrome });
  });

  it('ignores a non-executable file of the right name on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kinship-browser-'));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'chromium'), 'not a program');
    expect(findChromium({ env: { PATH: join(dir, 'bin') }, locations: [] })).toEqual({ path: undefined });
  });

  it('falls back to the usual install locations (e.g. a macOS app bundle) when PATH has none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kinship-browser-'));
    const app = fakeExecutable(join(dir, 'Applications', 'Chromium.app', 'Contents', 'MacOS'), 'Chromium');
    expect(findChromium({ env: { PATH: '' }, locations: [join(dir, 'missing'), app] })).toEqual({ path: app });
  });

  it('says how to install a browser on Debian/Ubuntu and on macOS', () => {
    expect(browserInstallHint('linux')).toContain('apt-get install -y chromium');
    expect(browserInstallHint('darwin')).toContain('brew install --cask chromium');
  });
});

describe('the npm test preflight', () => {
  it('reads the Java major version from old and new version strings', () => {
    expect(javaMajorVersion(JAVA_17)).toBe(17);
    expect(javaMajorVersion('java version "1.8.0_402"')).toBe(8);
    expect(javaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajorVersion('command not found')).toBeUndefined();
  });

  it('passes a machine with Java 17 and a browser', () => {
    expect(missingPrerequisites({ javaVersion: () => JAVA_17, chromium: found('/usr/bin/chromium') })).toEqual([]);
  });

  it('names Java when it is missing or too old (DynamoDB Local 3 needs 17)', () => {
    const [missing] = missingPrerequisites({ javaVersion: () => undefined, chromium: found('/usr/bin/chromium') });
    expect(missing).toMatch(/Java 17 or newer.*install/);
    expect(missingPrerequisites({ javaVersion: () => 'openjdk version "11.0.2"', chromium: found('/usr/bin/chromium') })).toEqual([
      expect.stringContaining('found Java 11'),
    ]);
  });

  it('names the browser when none is found', () => {
    expect(missingPrerequisites({ javaVersion: () => JAVA_17, chromium: () => ({ path: undefined }) })).toEqual([
      expect.stringContaining('Chromium or Chrome'),
    ]);
  });

  it('stops with one line naming everything missing (here: no Java on PATH, a CHROME_PATH that points nowhere)', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/preflight.ts'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: '', CHROME_PATH: '/nonexistent/chrome' },
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npm test cannot run on this machine: .*Java 17.*CHROME_PATH=\/nonexistent\/chrome/);
  });
});
