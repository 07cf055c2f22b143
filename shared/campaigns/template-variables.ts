/**
 * What a campaign template may say: the variables every email can use, built from the recipient's profile,
 * the shop and (when the campaign grants one) the recipient's coupon. `campaigns validate` checks templates
 * against this list, so a typo is caught before a send, not as an empty gap in 2,000 inboxes.
 */
import type { CustomerProfile } from '#shared/profiles/customer-profile.ts';
import type { Locale } from '#shared/locales.ts';
import { formatDate, formatMoney } from '#shared/i18n/format.ts';

export const TEMPLATE_VARIABLES = {
  customer: ['firstName', 'name', 'orderCount', 'firstPurchaseDate', 'lastPurchaseDate', 'totalSpent', 'favouriteCategory'],
  shop: ['name', 'url'],
  campaign: ['id'],
  coupon: ['code', 'discount', 'expires', 'appliesTo'],
  unsubscribeUrl: [],
} as const satisfies Record<string, readonly string[]>;

/** Variables available to a campaign's templates: coupon.* only where the campaign grants a coupon. */
export function allowedVariables(options: { coupon: boolean }): Set<string> {
  const out = new Set<string>();
  for (const [group, fields] of Object.entries(TEMPLATE_VARIABLES)) {
    if (group === 'coupon' && !options.coupon) continue;
    if (fields.length === 0) out.add(group);
    for (const field of fields) out.add(`${group}.${field}`);
  }
  return out;
}

export interface IssuedCoupon {
  code: string;
  /** Already formatted for the recipient's language: "15%" or "€15.00". */
  discount: string;
  expiresAt: string;
  appliesTo: string;
}

export interface TemplateContext {
  customer: Record<(typeof TEMPLATE_VARIABLES.customer)[number], string | number>;
  shop: { name: string; url: string };
  campaign: { id: string };
  coupon?: { code: string; discount: string; expires: string; appliesTo: string };
  unsubscribeUrl: string;
}

export interface ContextInputs {
  profile: CustomerProfile;
  locale: Locale;
  shop: { name: string; url: string; baseCurrency: string };
  campaignId: string;
  unsubscribeUrl: string;
  coupon?: IssuedCoupon | undefined;
}

/**
 * Every variable is present (empty string when unknown), so `{{#if customer.firstName}}` works in strict mode
 * and a missing profile field never breaks a send.
 */
export function buildTemplateContext(inputs: ContextInputs): TemplateContext {
  const { profile, locale } = inputs;
  const name = profile.customerName?.trim() ?? '';
  return {
    customer: {
      firstName: name.split(/\s+/)[0] ?? '',
      name,
      orderCount: profile.orderCount,
      firstPurchaseDate: profile.firstPurchaseAt ? formatDate(profile.firstPurchaseAt, locale) : '',
      lastPurchaseDate: profile.lastPurchaseAt ? formatDate(profile.lastPurchaseAt, locale) : '',
      totalSpent: formatMoney(Math.max(0, profile.netSpendMinor), inputs.shop.baseCurrency, locale),
      favouriteCategory: favouriteCategory(profile.categorySpendMinor) ?? '',
    },
    shop: { name: inputs.shop.name, url: inputs.shop.url },
    campaign: { id: inputs.campaignId },
    unsubscribeUrl: inputs.unsubscribeUrl,
    ...(inputs.coupon
      ? {
          coupon: {
            code: inputs.coupon.code,
            discount: inputs.coupon.discount,
            expires: formatDate(inputs.coupon.expiresAt, locale),
            appliesTo: inputs.coupon.appliesTo,
          },
        }
      : {}),
  };
}

/** The category with the highest net spend (ties: alphabetical), or undefined when nothing was bought. */
export function favouriteCategory(spend: Record<string, number>): string | undefined {
  let best: [string, number] | undefined;
  for (const [category, minor] of Object.entries(spend).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (minor > 0 && (best === undefined || minor > best[1])) best = [category, minor];
  }
  return best?.[0];
}
