import { assertCampaignsValid } from '#shared/campaigns/validate-campaigns.ts';
import { loadShopConfig } from '#shared/config/shop-config.ts';

/**
 * What `cdk synth` checks before building the stack: the config the functions read at cold start (shop.yaml, and
 * campaigns.yaml with its templates under the rules of `campaigns validate`). Throws ConfigError naming file and line.
 */
export function checkConfigForSynth(configDirectory: string): void {
  loadShopConfig(configDirectory);
  assertCampaignsValid(configDirectory);
}
