import { assertCampaignsValid } from '#shared/campaigns/validate-campaigns.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkedAtBuildMarker, configDigest } from '#shared/config/build-marker.ts';
import { loadShopConfig } from '#shared/config/shop-config.ts';
import { loadCatalogs } from '#shared/i18n/catalogs.ts';

/** Digests of the config folders this synth has checked: AppFunction marks their copy in each asset as checked. */
const checkedDigests = new Set<string>();

/**
 * What `cdk synth` checks before building the stack: the config the functions read at cold start (shop.yaml, and
 * the message catalogs, campaigns.yaml with its templates under the rules of `campaigns validate`). Throws ConfigError
 * naming file and line.
 */
export function checkConfigForSynth(configDirectory: string): void {
  loadShopConfig(configDirectory);
  loadCatalogs(join(configDirectory, 'messages'));
  assertCampaignsValid(configDirectory);
  checkedDigests.add(configDigest(configDirectory));
}

/**
 * The checked-at-build marker for `configDirectory` (its digest and the YAML files' parsed values) if
 * checkConfigForSynth passed on exactly these files in this process, else undefined.
 */
export function markerCheckedForSynth(configDirectory: string): string | undefined {
  return checkedDigests.has(configDigest(configDirectory)) ? checkedAtBuildMarker(configDirectory) : undefined;
}

/** One marker file per checked config per synth, for the assets' bundling step to copy (its JSON has quotes a shell command would need escaped). */
const markerFiles = new Map<string, string>();

/** A file holding markerCheckedForSynth's content, or undefined when these files were not checked. */
export function markerFileCheckedForSynth(configDirectory: string): string | undefined {
  const marker = markerCheckedForSynth(configDirectory);
  if (marker === undefined) return undefined;
  let file = markerFiles.get(marker);
  if (!file) {
    file = join(mkdtempSync(join(tmpdir(), 'kinship-config-marker-')), 'checked-at-build.json');
    writeFileSync(file, marker);
    markerFiles.set(marker, file);
  }
  return file;
}
