/** What the report takes from config/: the base currency, the incentive rules (an order's type) and the click window. */
import { chooseIncentive } from '#shared/capture/choose-incentive.ts';
import { loadIncentiveRules } from '#shared/capture/incentive-config.ts';
import { loadAttributionWindows } from '#shared/campaigns/attribution-config.ts';
import { loadShopConfig } from '#shared/config/shop-config.ts';

export interface ReportSettings {
  currency: string;
  conversionWindowDays: number;
  incentiveTypeOf: (categoryMinor: Readonly<Record<string, number>>) => string;
}

/** campaigns.yaml `attribution.clickWindowDays`, whose default is 5 days. */
export const DEFAULT_CONVERSION_WINDOW_DAYS = 5;

export function loadReportSettings(dir?: string): ReportSettings {
  const shop = loadShopConfig(dir);
  const rules = loadIncentiveRules(shop, dir);
  const window = loadAttributionWindows(dir).clickWindowDays;
  return {
    currency: shop.shop.baseCurrency,
    conversionWindowDays: window > 0 ? window : DEFAULT_CONVERSION_WINDOW_DAYS,
    incentiveTypeOf: (categoryMinor) => chooseIncentive(rules, categoryMinor).rule.type,
  };
}
