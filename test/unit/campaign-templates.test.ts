import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignTemplates, TemplateNotFoundError } from '#shared/campaigns/email-templates.ts';
import { loadCatalogs } from '#shared/i18n/catalogs.ts';
import { checkTemplate } from '#shared/campaigns/template-engine.ts';
import { allowedVariables, buildTemplateContext, favouriteCategory } from '#shared/campaigns/template-variables.ts';
import { profileFromItem } from '#shared/profiles/customer-profile.ts';

const withoutCoupon = allowedVariables({ coupon: false });
const withCoupon = allowedVariables({ coupon: true });
const templatesDir = join(process.cwd(), 'config', 'templates');

function aContext(overrides: { customerName?: string; coupon?: boolean } = {}) {
  const profile = profileFromItem({
    customerId: 'c_1',
    customerName: overrides.customerName ?? 'Sigrún Jónsdóttir',
    orderCount: 3,
    netSpendMinor: 45_000,
    lastPurchaseAt: '2026-08-01T10:00:00.000Z',
    'cat#tents': 30_000,
    'cat#cooking': 15_000,
  });
  return buildTemplateContext({
    profile,
    locale: 'en',
    shop: { name: 'Norðurljós Outdoor', url: 'https://shop.example', baseCurrency: 'EUR' },
    campaignId: 'win-back',
    unsubscribeUrl: 'https://shop.example/unsubscribe?token=abc',
    coupon: overrides.coupon ? { code: 'BACK-7Q2M', discount: '15%', expiresAt: '2026-12-31T00:00:00.000Z', appliesTo: '' } : undefined,
  });
}

describe('checkTemplate', () => {
  it('accepts known variables, if/unless/else blocks and comments', () => {
    const source =
      '{{!-- hello --}}Hi{{#if customer.firstName}} {{customer.firstName}}{{else}} there{{/if}}{{#unless customer.name}}!{{/unless}} {{shop.name}}';
    expect(checkTemplate(source, withoutCoupon)).toEqual([]);
  });

  it("reports an unknown variable at the variable's line and column, with the nearest known name", () => {
    const problems = checkTemplate('Hello\n  {{customer.frstName}}', withoutCoupon);
    expect(problems).toEqual([{ line: 2, column: 5, message: 'unknown variable "customer.frstName" (did you mean customer.firstName?)' }]);
  });

  it('only allows coupon variables in campaigns that grant a coupon', () => {
    expect(checkTemplate('{{coupon.code}}', withoutCoupon)[0]?.message).toMatch(/unknown variable "coupon.code"/);
    expect(checkTemplate('{{coupon.code}}', withCoupon)).toEqual([]);
  });

  it('explains that a group name is not a value', () => {
    expect(checkTemplate('{{customer}}', withoutCoupon)[0]?.message).toMatch(/it is a group: use one of customer.firstName/);
  });

  it('refuses raw output, helpers, other blocks and partials, which it cannot prove safe', () => {
    const messages = checkTemplate('{{{customer.name}}} {{lookup customer "name"}} {{#each shop}}x{{/each}} {{> footer}}', withoutCoupon).map((p) => p.message);
    expect(messages).toEqual([
      expect.stringMatching(/raw output/),
      expect.stringMatching(/helpers are not supported/),
      expect.stringMatching(/\{\{#each\}\} is not supported/),
      expect.stringMatching(/partials/),
    ]);
  });

  it('reports a syntax error with its line instead of throwing', () => {
    const [problem] = checkTemplate('line one\n{{#if customer.name}}\nunclosed', withoutCoupon);
    expect(problem?.message).toMatch(/template syntax error/);
    expect(problem?.line).toBeGreaterThanOrEqual(2);
  });
});

describe('buildTemplateContext', () => {
  it("personalises from the profile: first name, orders, money in the reader's format, favourite category", () => {
    const context = aContext();
    expect(context.customer.firstName).toBe('Sigrún');
    expect(context.customer.orderCount).toBe(3);
    expect(context.customer.totalSpent).toBe('€450.00');
    expect(context.customer.lastPurchaseDate).toBe('August 1, 2026');
    expect(context.customer.favouriteCategory).toBe('tents');
  });

  it('keeps every variable present, empty when the profile lacks it', () => {
    const profile = profileFromItem({ customerId: 'c_2' });
    const context = buildTemplateContext({ profile, locale: 'is', shop: { name: 'S', url: 'u', baseCurrency: 'ISK' }, campaignId: 'x', unsubscribeUrl: 'u' });
    expect(context.customer).toEqual({
      firstName: '',
      name: '',
      orderCount: 0,
      firstPurchaseDate: '',
      lastPurchaseDate: '',
      totalSpent: expect.stringContaining('0'),
      favouriteCategory: '',
    });
  });

  it('picks the favourite category by spend, alphabetically on ties, ignoring refunds', () => {
    expect(favouriteCategory({ tents: 100, cooking: 100, socks: -50 })).toBe('cooking');
    expect(favouriteCategory({ socks: -50 })).toBeUndefined();
  });
});

describe('CampaignTemplates.render', () => {
  const templates = new CampaignTemplates(templatesDir, ['win-back', 'welcome'], 'en');

  it("renders subject, HTML and text in the recipient's language with the coupon and the unsubscribe link", () => {
    const email = templates.render('win-back', 'is', aContext({ coupon: true }));
    expect(email.locale).toBe('is');
    expect(email.subject).toBe('Við söknum þín — 15% afsláttur af næstu ferð');
    expect(email.html).toContain('BACK-7Q2M');
    expect(email.html).toContain('href="https://shop.example/unsubscribe?token&#x3D;abc"');
    expect(email.html).toContain('<html lang="is" dir="ltr">');
    expect(email.text).toContain('Kóðinn þinn: BACK-7Q2M');
    expect(email.text).toContain('https://shop.example/unsubscribe?token=abc');
  });

  it('lays Hebrew out right to left', () => {
    expect(templates.render('welcome', 'he', aContext()).html).toContain('<html lang="he" dir="rtl">');
  });

  it("falls back to the fallback language when the recipient's is unknown", () => {
    expect(templates.render('welcome', undefined, aContext()).locale).toBe('en');
  });

  it('escapes profile values in the HTML part but keeps them literal in the text part', () => {
    const email = templates.render('welcome', 'en', aContext({ customerName: '<script>alert(1)</script> Jr' }));
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.text).toContain('Welcome, <script>alert(1)</script>!');
  });

  it('never lets a value break the subject onto a second header line', () => {
    const templatesWithName = new CampaignTemplates(templatesDir, ['monthly-newsletter'], 'en');
    const email = templatesWithName.render('monthly-newsletter', 'en', { ...aContext(), shop: { name: 'Shop\r\nBcc: victim@example.com', url: 'u' } });
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it('reads a folder when first used, and only the folders it was given: each file once, a broken folder failing at its first use', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kinship-templates-'));
    try {
      cpSync(templatesDir, dir, { recursive: true });
      rmSync(join(dir, 'welcome', 'en.txt'));
      const read: string[] = [];
      const lazy = new CampaignTemplates(dir, ['win-back', 'welcome'], 'en', loadCatalogs(join(process.cwd(), 'config', 'messages')), (file) =>
        read.push(file),
      );
      expect(read).toEqual([]);
      lazy.render('win-back', 'da', aContext({ coupon: true }));
      lazy.render('win-back', 'fi', aContext({ coupon: true }));
      expect(read.filter((file) => file.includes(`${join('win-back', 'en.html')}`))).toHaveLength(1);
      expect(read.some((file) => file.includes('layout.html'))).toBe(true);
      expect(read.some((file) => file.includes('welcome'))).toBe(false);
      expect(() => lazy.render('welcome', 'en', aContext())).toThrow(TemplateNotFoundError);
      expect(() => lazy.render('monthly-newsletter', 'en', aContext())).toThrow(/no templates loaded for "monthly-newsletter"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
