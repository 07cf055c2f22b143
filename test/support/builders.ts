import type { ShopConfig } from '#shared/config/shop-config.ts';
import type { LineItemInput, PurchaseInput } from '#shared/purchases/purchase-input.ts';

export function aLineItem(overrides: Partial<LineItemInput> = {}): LineItemInput {
  return { sku: 'TENT-2P', name: 'Two-person tent', category: 'tents', price: 249.9, quantity: 1, ...overrides };
}

export function aPurchase(overrides: Partial<PurchaseInput> = {}): PurchaseInput {
  return {
    orderId: 'ORD-1001',
    customerEmail: 'anna.jonsdottir@example.com',
    customerName: 'Anna Jónsdóttir',
    locale: 'is',
    items: [aLineItem()],
    total: 249.9,
    currency: 'EUR',
    purchasedAt: '2026-11-20T10:00:00Z',
    ...overrides,
  };
}

export function aShopConfig(overrides: Partial<ShopConfig['shop']> = {}): ShopConfig {
  return {
    shop: { name: 'Test shop', defaultLocale: 'en', baseCurrency: 'EUR', exchangeRates: { ISK: 0.0069, DKK: 0.134 }, ...overrides },
    purchases: { formTokenTtlDays: 30, maxBodyBytes: 256 * 1024, maxFutureSkewMinutes: 1440 },
  };
}
