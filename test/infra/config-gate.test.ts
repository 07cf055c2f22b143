import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- package.json has no #infra/* alias; the synth gate is infra's own code.
import { checkConfigForSynth } from '../../infra/config-gate.ts';

const repoConfig = join(process.cwd(), 'config');
const copies: string[] = [];
afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function brokenConfig(file: string, change: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kinship-synth-gate-'));
  copies.push(dir);
  cpSync(repoConfig, dir, { recursive: true });
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

describe('what cdk synth checks before building the stack', () => {
  it("passes the repository's config", () => {
    expect(() => checkConfigForSynth(repoConfig)).not.toThrow();
  });

  it('stops on a template mistake that campaigns validate reports, naming the file and line', () => {
    const dir = brokenConfig(join('templates', 'welcome', 'en.txt'), (text) => `${text}{{coupon.code}}\n`);
    expect(() => checkConfigForSynth(dir)).toThrow(/welcome\/en\.txt:\d+: error.*coupon/);
  });

  it('stops on raw {{{ }}} output in a template', () => {
    const dir = brokenConfig(join('templates', 'gold-reward', 'da.html'), (text) => `${text}<p>{{{firstName}}}</p>\n`);
    expect(() => checkConfigForSynth(dir)).toThrow(/gold-reward\/da\.html:\d+: error/);
  });

  it('stops on a translation whose placeholders differ from English (a cold start with its marker no longer compares them)', () => {
    const dir = brokenConfig(join('messages', 'fi.json'), (text) => text.replace('{seconds}', '{sekuntia}'));
    expect(() => checkConfigForSynth(dir)).toThrow(/fi\.json: page\.rateLimited\.body: has placeholders \{sekuntia\}/);
  });
});
