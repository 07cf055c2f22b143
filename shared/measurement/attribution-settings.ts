import { ATTRIBUTION_DEFAULTS, AttributionWindowsSchema, type AttributionWindows } from '#shared/campaigns/attribution-config.ts';
import { loadYamlSections } from '#shared/config/load-yaml.ts';

let cached: AttributionWindows | undefined;

/** The attribution windows of config/campaigns.yaml, read once per cold start (a bad file fails the start). */
export function attributionWindows(): AttributionWindows {
  cached ??= loadYamlSections('campaigns.yaml', { attribution: AttributionWindowsSchema }).attribution;
  return cached;
}

export const DEFAULT_ATTRIBUTION_WINDOWS: AttributionWindows = { ...ATTRIBUTION_DEFAULTS };
