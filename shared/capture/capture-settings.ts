import { join } from 'node:path';
import { ConfigError, configDir } from '#shared/config/load-yaml.ts';
import { loadShopConfig, type ShopConfig } from '#shared/config/shop-config.ts';
import { loadCatalogs, REFERENCE_LOCALE, type Catalogs } from '#shared/i18n/catalogs.ts';
import { loadCaptureConfig, type CaptureConfig } from '#shared/capture/capture-config.ts';
import { categoriesNamedBy, loadIncentiveRules, type IncentiveRules } from '#shared/capture/incentive-config.ts';

/** Everything the capture routes read from config/, loaded and cross-checked once per cold start. */
export interface CaptureSettings {
  shop: ShopConfig;
  capture: CaptureConfig;
  incentives: IncentiveRules;
  catalogs: Catalogs;
}

/** Loads shop.yaml, capture.yaml, incentives.yaml and the message catalogs; any problem fails the start with the file and key. */
export function loadCaptureSettings(dir = configDir(), shop: ShopConfig = loadShopConfig(dir)): CaptureSettings {
  const settings: CaptureSettings = {
    shop,
    capture: loadCaptureConfig(dir),
    incentives: loadIncentiveRules(shop, dir),
    catalogs: loadCatalogs(join(dir, 'messages')),
  };
  const problems = settingsProblems(settings);
  if (problems.length > 0) throw new ConfigError(`invalid configuration\n  ${problems.join('\n  ')}`);
  return settings;
}

/** Cross-file checks: every category the form or an incentive names needs a label in the catalogs. */
export function settingsProblems(settings: CaptureSettings): string[] {
  const reference = settings.catalogs.get(REFERENCE_LOCALE);
  const needed = new Map<string, string>();
  for (const category of settings.capture.form.interests) needed.set(category, 'capture.yaml form.interests');
  for (const category of categoriesNamedBy(settings.incentives)) needed.set(category, 'incentives.yaml appliesTo');
  return [...needed]
    .filter(([category]) => !reference?.has(`category.${category}`))
    .map(
      ([category, where]) =>
        `messages/${REFERENCE_LOCALE}.json: category.${category}: missing — ${where} names category "${category}"; add its label to every catalog`,
    );
}

let cached: CaptureSettings | undefined;

/** The settings for a handler's module scope: read once per cold start. */
export function captureSettings(): CaptureSettings {
  cached ??= loadCaptureSettings();
  return cached;
}
