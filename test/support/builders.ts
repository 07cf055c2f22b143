import type { ShopConfig } from '#shared/config/shop-config.ts';
import type { CustomerProfile } from '#shared/profiles/customer-profile.ts';
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

/** A profile with one purchase (at `createdAt`, default 2026-06-23 noon UTC), 50.00 EUR, no answers. */
export function aCustomerProfile(overrides: Partial<CustomerProfile> & { customerId: string }): CustomerProfile {
  const at = overrides.createdAt ?? '2026-06-23T12:00:00.000Z';
  return {
    email: undefined,
    customerName: undefined,
    locale: 'is',
    country: 'IS',
    currency: 'EUR',
    createdAt: at,
    updatedAt: at,
    firstPurchaseAt: at,
    lastPurchaseAt: at,
    orderCount: 1,
    refundCount: 0,
    itemCount: 1,
    netSpendMinor: 5000,
    categorySpendMinor: { tents: 5000 },
    monthlySpendMinor: { '2026-06': 5000 },
    latestSatisfaction: undefined,
    referralCount: 0,
    ...overrides,
  };
}
