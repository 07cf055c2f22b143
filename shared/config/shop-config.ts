import * as z from 'zod';
import { isKnownCurrency } from '#shared/money.ts';
import { SUPPORTED_LOCALES } from '#shared/locales.ts';
import { loadYamlConfig } from '#shared/config/load-yaml.ts';

const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as EUR')
  .refine(isKnownCurrency, 'is not an ISO 4217 currency');

/** config/shop.yaml — who the shop is and how money and forms work. */
export const ShopConfigSchema = z.strictObject({
  shop: z.strictObject({
    name: z.string().min(1).max(100),
    /** Public base URL of the form and unsubscribe pages. Optional: defaults to the API's own URL (or http://localhost:3000 locally). */
    publicBaseUrl: z.url().optional(),
    defaultLocale: z.enum(SUPPORTED_LOCALES).default('en'),
    baseCurrency: CurrencyCode,
    /** Fixed conversion rates into the base currency: units of base currency per one unit of the key currency. */
    exchangeRates: z.record(CurrencyCode, z.number().positive()).default({}),
  }),
  purchases: z
    .strictObject({
      /** How long an incentive-form link stays valid after the purchase is recorded. */
      formTokenTtlDays: z.number().int().min(1).max(365).default(30),
      /** Largest request body accepted by the API, in bytes. */
      maxBodyBytes: z
        .number()
        .int()
        .min(1024)
        .max(6_000_000)
        .default(256 * 1024),
      /** Purchases dated further than this in the future are rejected (clock skew allowance). */
      maxFutureSkewMinutes: z
        .number()
        .int()
        .min(0)
        .default(24 * 60),
    })
    .default({ formTokenTtlDays: 30, maxBodyBytes: 256 * 1024, maxFutureSkewMinutes: 24 * 60 }),
});

export type ShopConfig = z.output<typeof ShopConfigSchema>;

export function loadShopConfig(dir?: string): ShopConfig {
  return loadYamlConfig('shop.yaml', ShopConfigSchema, dir);
}
