import { loadShopConfig, type ShopConfig } from '#shared/config/shop-config.ts';

/** Config read once per cold start; a bad config/shop.yaml fails the start, not the first request. */
let cachedShopConfig: ShopConfig | undefined;
export function shopConfig(): ShopConfig {
  cachedShopConfig ??= loadShopConfig();
  return cachedShopConfig;
}

/** Base URL for links in pages and emails: the configured public URL, else the API's own (set by CDK / the local runtime). */
export function publicBaseUrl(config: ShopConfig): string {
  const url = config.shop.publicBaseUrl ?? process.env.PUBLIC_BASE_URL;
  if (!url) throw new Error('No public base URL: set shop.publicBaseUrl in config/shop.yaml or PUBLIC_BASE_URL');
  return url;
}
