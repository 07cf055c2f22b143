import { ATTRIBUTION_DEFAULTS, loadAttributionWindows, type AttributionWindows } from '#shared/campaigns/attribution-config.ts';

let cached: AttributionWindows | undefined;

/** The attribution windows of config/campaigns.yaml, read once per cold start (a bad file fails the start). */
export function attributionWindows(): AttributionWindows {
  cached ??= loadAttributionWindows();
  return cached;
}

export const DEFAULT_ATTRIBUTION_WINDOWS: AttributionWindows = { ...ATTRIBUTION_DEFAULTS };
