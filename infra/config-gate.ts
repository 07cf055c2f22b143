import { assertCampaignsValid } from '#shared/campaigns/validate-campaigns.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDigest } from '#shared/config/checked-at-build.ts';
import { parsedAtBuildJson } from '#shared/config/load-yaml.ts';
import { loadShopConfig } from '#shared/config/shop-config.ts';

/** Digests of the config folders this synth has checked: AppFunction marks their copy in each asset as checked. */
const checkedDigests = new Set<string>();
/** Per checked digest: a file holding those folders' YAML already parsed, which AppFunction copies into each asset's config/. */
const parsedFiles = new Map<string, string>();

/**
 * What `cdk synth` checks before building the stack: the config the functions read at cold start (shop.yaml, and
 * campaigns.yaml with its templates under the rules of `campaigns validate`). Throws ConfigError naming file and line.
 */
export function checkConfigForSynth(configDirectory: string): void {
  loadShopConfig(configDirectory);
  assertCampaignsValid(configDirectory);
  const digest = configDigest(configDirectory);
  checkedDigests.add(digest);
  if (!parsedFiles.has(digest)) {
    const file = join(mkdtempSync(join(tmpdir(), 'kinship-config-')), 'parsed-at-build.json');
    writeFileSync(file, parsedAtBuildJson(configDirectory));
    parsedFiles.set(digest, file);
  }
}

/** The file of `configDirectory`'s parsed YAML written when checkConfigForSynth passed on exactly these files, else undefined. */
export function parsedConfigForSynth(configDirectory: string): string | undefined {
  return parsedFiles.get(configDigest(configDirectory));
}

/** The digest of `configDirectory` if checkConfigForSynth passed on exactly these files in this process, else undefined. */
export function digestCheckedForSynth(configDirectory: string): string | undefined {
  const digest = configDigest(configDirectory);
  return checkedDigests.has(digest) ? digest : undefined;
}
