import { assertCampaignsValid } from '#shared/campaigns/validate-campaigns.ts';
import { configDigest } from '#shared/config/checked-at-build.ts';
import { loadShopConfig } from '#shared/config/shop-config.ts';

/** Digests of the config folders this synth has checked: AppFunction marks their copy in each asset as checked. */
const checkedDigests = new Set<string>();

/**
 * What `cdk synth` checks before building the stack: the config the functions read at cold start (shop.yaml, and
 * campaigns.yaml with its templates under the rules of `campaigns validate`). Throws ConfigError naming file and line.
 */
export function checkConfigForSynth(configDirectory: string): void {
  loadShopConfig(configDirectory);
  assertCampaignsValid(configDirectory);
  checkedDigests.add(configDigest(configDirectory));
}

/** The digest of `configDirectory` if checkConfigForSynth passed on exactly these files in this process, else undefined. */
export function digestCheckedForSynth(configDirectory: string): string | undefined {
  const digest = configDigest(configDirectory);
  return checkedDigests.has(digest) ? digest : undefined;
}
