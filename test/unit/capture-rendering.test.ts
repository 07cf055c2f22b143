import { describe, expect, it } from 'vitest';
import { loadCaptureSettings } from '#shared/capture/capture-settings.ts';
import { chooseIncentive } from '#shared/capture/choose-incentive.ts';
import { consentWordingVersion } from '#shared/capture/consent.ts';
import { parsePoolCodes } from '#shared/capture/coupon-pool.ts';
import { describeOffer, offerOfRule } from '#shared/capture/describe-incentive.ts';
import { incentiveEmail, optInEmail } from '#shared/capture/emails.ts';
import { generateCode, GENERATED_CODE } from '#shared/capture/incentive-codes.ts';
import type { IssuedIncentive } from '#shared/capture/issue-incentive.ts';
import type { OrderView } from '#shared/capture/order-context.ts';
import { formPage, initialValues } from '#shared/capture/pages/form-page.ts';
import { renderPage } from '#shared/capture/pages/layout.ts';
import { errorPage, incentiveBlock } from '#shared/capture/pages/message-page.ts';
import { LinkExpiredError, LinkSupersededError, UnsupportedLanguageError } from '#shared/capture/capture-errors.ts';
import { NotFoundError, RateLimitedError, ValidationError } from '#shared/errors.ts';
import { translator } from '#shared/i18n/catalogs.ts';
import { SUPPORTED_LOCALES } from '#shared/locales.ts';

const settings = loadCaptureSettings();
const hostile = '<script>alert(1)</script>';

function anOrder(overrides: Partial<OrderView> = {}): OrderView {
  return {
    orderId: 'ORD-1',
    customerId: 'c_1',
    lines: [
      { sku: 'TENT-2P', name: `Tent ${hostile}`, category: 'tents', quantity: 1 },
      { sku: 'BAG-1', name: 'Sleeping bag', category: 'sleeping-bags', quantity: 2 },
    ],
    categoryMinor: { tents: 24_990, 'sleeping-bags': 9_000 },
    purchasedAt: '2026-11-20T10:00:00Z',
    kind: 'purchase',
    ...overrides,
  };
}

const incentives: IssuedIncentive[] = [
  {
    orderId: 'ORD-1',
    customerId: 'c_1',
    type: 'warranty',
    rule: 'tents',
    code: 'NLW-AAAAA-BBBBB',
    codeSource: 'generated',
    months: 12,
    coversSkus: ['TENT-2P'],
    issuedAt: '2026-11-21T00:00:00Z',
  },
  {
    orderId: 'ORD-1',
    customerId: 'c_1',
    type: 'coupon',
    rule: 'backpacks',
    code: 'PACK-AAAAA-BBBBB',
    codeSource: 'generated',
    percent: 15,
    appliesTo: ['tents', 'cooking'],
    currency: 'EUR',
    validUntil: '2027-01-20T00:00:00Z',
    issuedAt: '2026-11-21T00:00:00Z',
  },
  {
    orderId: 'ORD-1',
    customerId: 'c_1',
    type: 'coupon',
    rule: 'sleeping-bags',
    code: 'SPRING-1',
    codeSource: 'pool',
    pool: 'spring-2026',
    amountMinor: 1500,
    currency: 'EUR',
    appliesTo: [],
    validUntil: '2027-01-20T00:00:00Z',
    issuedAt: '2026-11-21T00:00:00Z',
  },
  {
    orderId: 'ORD-1',
    customerId: 'c_1',
    type: 'gift-card',
    rule: 'clothing',
    code: 'GIFT-AAAAA-BBBBB',
    codeSource: 'generated',
    amountMinor: 2000,
    currency: 'EUR',
    validUntil: '2027-11-21T00:00:00Z',
    issuedAt: '2026-11-21T00:00:00Z',
  },
];

describe('every page and email renders in every language, escaping customer text', () => {
  it.each(SUPPORTED_LOCALES)('the form in %s, with every error shown', (locale) => {
    const t = translator(settings.catalogs, locale);
    const order = anOrder();
    const values = { ...initialValues(order, 'anna@example.com', undefined), name: hostile, whyChoseUs: hostile };
    const errors = new Map([
      ['email', t.t('error.email')],
      ['acceptTerms', t.t('error.terms')],
    ]);
    const page = formPage({
      t,
      shopName: 'Shop',
      token: 't.k',
      order,
      offer: describeOffer(t, offerOfRule(chooseIncentive(settings.incentives, order.categoryMinor), order)),
      values,
      errors,
      config: settings.capture,
      action: '/api/submissions',
    });
    const rendered = renderPage(page, 'nonce');
    expect(rendered).toContain(`<html lang="${locale}" dir="${locale === 'he' ? 'rtl' : 'ltr'}">`);
    expect(rendered).toContain(t.t('form.submit'));
    expect(rendered).toContain(t.t('error.terms'));
    expect(rendered).not.toContain(hostile);
    expect(rendered).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it.each(SUPPORTED_LOCALES)('the error pages in %s', (locale) => {
    const t = translator(settings.catalogs, locale);
    const errors = [
      new LinkExpiredError('x'),
      new LinkSupersededError('x'),
      new UnsupportedLanguageError('x'),
      new RateLimitedError('x', 30),
      new NotFoundError('x'),
      new ValidationError('x'),
      new Error('boom'),
    ];
    const statuses = errors.map((error) => {
      const { status, page } = errorPage(t, error);
      expect(renderPage(page, 'n')).not.toContain('boom');
      return status;
    });
    expect(statuses).toEqual([410, 410, 400, 429, 404, 400, 500]);
  });

  it.each(SUPPORTED_LOCALES)('the opt-in and incentive emails in %s, for each kind of incentive', (locale) => {
    const t = translator(settings.catalogs, locale);
    const optIn = optInEmail(t, {
      to: 'a@example.com',
      customerId: 'c_test',
      shopName: 'Shop',
      confirmUrl: 'http://localhost/confirm?token=a.b',
      offer: 'x',
      expiresAt: '2026-12-01T00:00:00Z',
    });
    // The opt-in email takes no name at all (a typed name is not printed in it): the type says so, the page shows it.
    expect(optIn.html).toContain(`dir="${t.dir}"`);
    expect(optIn.html).toContain('href="http://localhost/confirm?token=a.b"');
    expect(optIn.text).toContain('http://localhost/confirm?token=a.b');
    expect(optIn.tags).toEqual({ customer: 'c_test', kind: 'opt-in' });
    for (const incentive of incentives) {
      const email = incentiveEmail(t, {
        to: 'a@example.com',
        customerId: 'c_test',
        name: 'Anna',
        shopName: 'Shop',
        incentive,
        order: anOrder(),
        marketingEmail: false,
      });
      expect(email.text).toContain(incentive.code);
      expect(email.html).toContain(`dir="${t.dir}"`);
      expect(renderPage({ t, title: 'x', body: incentiveBlock(t, incentive, anOrder()) }, 'n')).toContain(incentive.code);
    }
  });
});

describe('incentive rules and codes', () => {
  it('picks the rule of the category the customer spent most on, else the default', () => {
    expect(chooseIncentive(settings.incentives, { tents: 100, 'sleeping-bags': 200 }).ruleKey).toBe('sleeping-bags');
    expect(chooseIncentive(settings.incentives, { footwear: 500, tents: 100 }).ruleKey).toBe('tents');
    expect(chooseIncentive(settings.incentives, { footwear: 500 }).ruleKey).toBe('default');
  });

  it("describes an offer in the reader's language with local money and lists", () => {
    const order = anOrder({ categoryMinor: { 'sleeping-bags': 9_000 } });
    const offer = offerOfRule(chooseIncentive(settings.incentives, order.categoryMinor), order);
    expect(describeOffer(translator(settings.catalogs, 'da'), offer)).toBe('15,00\u00a0€ i rabat på Soveposer og Rygsække i din næste ordre');
  });

  it('generates codes of the documented shape from the OS random source', () => {
    const codes = Array.from({ length: 50 }, () => generateCode('THANKS'));
    for (const code of codes) expect(code).toMatch(GENERATED_CODE);
    expect(new Set(codes).size).toBe(50);
  });

  it('reads a pool file: trims, upper-cases, skips comments, counts duplicates and rejects unusable lines', () => {
    expect(parsePoolCodes('# spring\nabc-123\n\nABC-123\n x \nGOOD-CODE-9\n')).toEqual({
      codes: ['ABC-123', 'GOOD-CODE-9'],
      rejects: [{ line: 5, text: 'x' }],
      duplicates: 1,
    });
  });

  it('versions the consent wording per language, so a changed text gets a new version', () => {
    const versions = SUPPORTED_LOCALES.map((locale) => consentWordingVersion(settings.catalogs, locale));
    expect(new Set(versions).size).toBe(SUPPORTED_LOCALES.length);
    const changed = new Map(settings.catalogs);
    changed.set('is', new Map([...(settings.catalogs.get('is') ?? []), ['form.marketingLabel', 'Já, sendið mér tilboð']]));
    expect(consentWordingVersion(changed, 'is')).not.toBe(consentWordingVersion(settings.catalogs, 'is'));
  });
});
