/**
 * campaigns.yaml `attribution`: its own module so that a function needing only these windows (record-purchase, the
 * report) validates only this section (loadYamlSections) and does not build the whole campaigns schema at cold start.
 */
import * as z from 'zod';
import { loadYamlSections } from '#shared/config/load-yaml.ts';

/** Attribution windows (in days) before a purchase; a touch older than its window does not count. */
export const ATTRIBUTION_DEFAULTS = { clickWindowDays: 5, openWindowDays: 2, deliveryWindowDays: 1 } as const;

const WindowDays = z.number().int().min(0).max(90);

export const AttributionWindowsSchema = z
  .strictObject({
    clickWindowDays: WindowDays.default(ATTRIBUTION_DEFAULTS.clickWindowDays).describe(
      'a purchase this many days after a click on a campaign email is attributed to it (0 = clicks never count)',
    ),
    openWindowDays: WindowDays.default(ATTRIBUTION_DEFAULTS.openWindowDays).describe('…else one this many days after an open'),
    deliveryWindowDays: WindowDays.default(ATTRIBUTION_DEFAULTS.deliveryWindowDays).describe('…else one this many days after a delivery'),
  })
  .default(ATTRIBUTION_DEFAULTS)
  .describe('last click, else last open, else last delivery within these windows; also the conversion window of holdout comparisons (clickWindowDays)');
export type AttributionWindows = z.output<typeof AttributionWindowsSchema>;

/** campaigns.yaml's attribution windows, validated without building the rest of the campaigns schema. */
export function loadAttributionWindows(dir?: string): AttributionWindows {
  return loadYamlSections('campaigns.yaml', { attribution: AttributionWindowsSchema }, dir).attribution;
}
