import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateCampaigns } from '#shared/campaigns/validate-campaigns.ts';
import { configSchemas } from '#shared/config/config-schemas.ts';

const repoConfig = join(process.cwd(), 'config');
const knownSegments = new Set(['all-customers', 'lapsed', 'gold', 'unsatisfied']);
const copies: string[] = [];

/** A private copy of config/ whose campaigns.yaml is changed by `change`; returns the file's path. */
function campaignsFileWith(change: (text: string) => string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kinship-attribution-'));
  copies.push(dir);
  cpSync(repoConfig, dir, { recursive: true });
  const file = join(dir, 'campaigns.yaml');
  writeFileSync(file, change(readFileSync(file, 'utf8')));
  return { dir, file };
}

const lineOf = (file: string, needle: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle)) + 1;

afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('attribution and holdout settings in campaigns.yaml', () => {
  it("reads the demo shop's windows and holdout, and defaults both when absent", () => {
    const { config } = validateCampaigns(repoConfig, knownSegments);
    expect(config?.attribution).toEqual({ clickWindowDays: 5, openWindowDays: 2, deliveryWindowDays: 1 });
    expect(config?.campaigns.find((c) => c.id === 'monthly-newsletter')?.holdoutPercent).toBe(10);

    const { dir } = campaignsFileWith((text) => text.replace(/^attribution:.*$/m, '').replace(/^\s+holdoutPercent:.*$/m, ''));
    const bare = validateCampaigns(dir, knownSegments);
    expect(bare.findings).toEqual([]);
    expect(bare.config?.attribution).toEqual({ clickWindowDays: 5, openWindowDays: 2, deliveryWindowDays: 1 });
    expect(bare.config?.campaigns.every((c) => c.holdoutPercent === 0)).toBe(true);
  });

  it('reports a holdout above 50% at its line', () => {
    const { dir, file } = campaignsFileWith((text) => text.replace(/holdoutPercent: 10/, 'holdoutPercent: 60'));
    const { findings } = validateCampaigns(dir, knownSegments);
    expect(findings).toEqual([
      expect.objectContaining({ severity: 'error', file, line: lineOf(file, 'holdoutPercent: 60'), message: expect.stringMatching(/holdoutPercent.*50/) }),
    ]);
  });

  it('reports a negative or fractional window at its line, and an unknown key', () => {
    const { dir, file } = campaignsFileWith((text) =>
      text.replace(
        'attribution: { clickWindowDays: 5, openWindowDays: 2, deliveryWindowDays: 1 }',
        'attribution:\n  clickWindowDays: -1\n  openWindowDays: 1.5\n  viewWindowDays: 3',
      ),
    );
    const { findings } = validateCampaigns(dir, knownSegments);
    expect(findings).toHaveLength(3);
    expect(findings.find((f) => f.message.includes('clickWindowDays'))?.line).toBe(lineOf(file, 'clickWindowDays: -1'));
    expect(findings.find((f) => f.message.includes('openWindowDays'))?.line).toBe(lineOf(file, 'openWindowDays: 1.5'));
    expect(findings.some((f) => f.file === file && f.message.includes('viewWindowDays'))).toBe(true);
  });

  it('offers both keys to editors through the generated JSON Schema', () => {
    const schema = JSON.stringify(configSchemas()['campaigns.schema.json']);
    expect(schema).toContain('"holdoutPercent"');
    expect(schema).toContain('"clickWindowDays"');
    expect(readFileSync(join(repoConfig, 'schemas', 'campaigns.schema.json'), 'utf8')).toContain('"deliveryWindowDays"');
  });
});
