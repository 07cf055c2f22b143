import type { Translator } from '#shared/i18n/catalogs.ts';
import { formatList, formatMoney, formatMonths } from '#shared/i18n/format.ts';
import type { ChosenIncentive } from '#shared/capture/choose-incentive.ts';
import type { IssuedIncentive } from '#shared/capture/issue-incentive.ts';
import type { OrderView } from '#shared/capture/order-context.ts';

/** What an incentive is worth, independent of whether it has been issued yet. */
export interface Offer {
  type: 'coupon' | 'warranty' | 'gift-card';
  percent?: number | undefined;
  amountMinor?: number | undefined;
  currency?: string | undefined;
  appliesTo?: readonly string[] | undefined;
  months?: number | undefined;
  /** Names of the products a warranty extends. */
  products?: readonly string[] | undefined;
}

export function categoryLabel(t: Translator, category: string): string {
  return t.has(`category.${category}`) ? t.t(`category.${category}`) : category;
}

/** The offer a rule makes for an order (shown on the form before anything is issued). */
export function offerOfRule(chosen: ChosenIncentive, order: OrderView): Offer {
  const { rule, ruleKey } = chosen;
  switch (rule.type) {
    case 'coupon':
      return { type: 'coupon', percent: rule.percent, amountMinor: rule.amountMinor, currency: rule.currency, appliesTo: rule.appliesTo };
    case 'gift-card':
      return { type: 'gift-card', amountMinor: rule.amountMinor, currency: rule.currency };
    case 'warranty':
      return { type: 'warranty', months: rule.months, products: order.lines.filter((l) => ruleKey === 'default' || l.category === ruleKey).map((l) => l.name) };
  }
}

export function offerOfIncentive(incentive: IssuedIncentive, order: OrderView | undefined): Offer {
  const covered = new Set(incentive.coversSkus ?? []);
  return {
    type: incentive.type,
    percent: incentive.percent,
    amountMinor: incentive.amountMinor,
    currency: incentive.currency,
    appliesTo: incentive.appliesTo,
    months: incentive.months,
    products: order?.lines.filter((l) => covered.has(l.sku)).map((l) => l.name),
  };
}

/** One sentence in the reader's language: "10% off tents and backpacks on your next order". Plain text. */
export function describeOffer(t: Translator, offer: Offer): string {
  const money = (minor: number | undefined) => formatMoney(minor ?? 0, offer.currency ?? 'EUR', t.locale);
  switch (offer.type) {
    case 'coupon': {
      const categories = (offer.appliesTo ?? []).map((c) => categoryLabel(t, c));
      const scope = categories.length > 0 ? 'Categories' : '';
      return offer.percent !== undefined
        ? t.t(`incentive.couponPercent${scope}`, { percent: offer.percent, categories: formatList(categories, t.locale) })
        : t.t(`incentive.couponAmount${scope}`, { amount: money(offer.amountMinor), categories: formatList(categories, t.locale) });
    }
    case 'gift-card':
      return t.t('incentive.giftCard', { amount: money(offer.amountMinor) });
    case 'warranty': {
      const products = offer.products ?? [];
      const duration = formatMonths(offer.months ?? 0, t.locale);
      return products.length > 0
        ? t.t('incentive.warrantyProducts', { duration, products: formatList([...products], t.locale) })
        : t.t('incentive.warranty', { duration });
    }
  }
}

/** The label above the code: "Your coupon code", "Gift card code", "Warranty certificate number". */
export function codeLabel(t: Translator, type: Offer['type']): string {
  return t.t(type === 'warranty' ? 'incentive.certificateLabel' : type === 'gift-card' ? 'incentive.giftCardLabel' : 'incentive.couponLabel');
}
