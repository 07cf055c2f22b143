import { ATTRIBUTION_DEFAULTS, type AttributionWindows } from '#shared/campaigns/campaign-config.ts';
import { loadCampaignsFile } from '#shared/campaigns/campaign-triggers.ts';

let cached: AttributionWindows | undefined;

/** The attribution windows of config/campaigns.yaml, read once per cold start (a bad file fails the start). */
export function attributionWindows(): AttributionWindows {
  cached ??= loadCampaignsFile().attribution;
  return cached;
}

export const DEFAULT_ATTRIBUTION_WINDOWS: AttributionWindows = { ...ATTRIBUTION_DEFAULTS };
