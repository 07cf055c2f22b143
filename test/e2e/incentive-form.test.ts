import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#local/runtime.ts';
import { confirmLinkOf, emailsTo, inbox, recordOrder, startCaptureRuntime } from '#test/support/capture-client.ts';
import { CHROMIUM_ARGS, chromiumExecutable } from '#test/support/chromium.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

let runtime: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  [runtime, browser] = await Promise.all([
    startCaptureRuntime(onSharedDynamoDb('capture')),
    chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS }),
  ]);
});
afterAll(async () => {
  await browser.close();
  await runtime.stop();
});

/** Fills the optional answers a customer typically gives; the required ones are left to each test. */
async function fillAnswers(page: Page, answers: { name: string; why: string }) {
  await page.fill('#f-name', answers.name);
  await page.check('#f-satisfaction-4');
  await page.fill('#f-whyChoseUs', answers.why);
  await page.check('#f-interest-tents');
}

describe('the incentive form in headless Chromium', () => {
  it('is filled in Icelandic (the order language) and thanks the customer in place, with JavaScript', async () => {
    const order = await recordOrder(runtime, { orderId: 'E2E-IS', customerEmail: 'sigrun@example.com', locale: 'is' });
    const page = await browser.newPage();
    await page.goto(order.formUrl);

    expect(await page.getAttribute('html', 'lang')).toBe('is');
    await expect(page.title()).resolves.toBe('Segðu Norðurljós Outdoor frá kaupunum þínum');
    // The address on file is not printed into the page (anyone holding the link would see it): masked, and kept when left empty.
    expect(await page.inputValue('#f-email')).toBe('');
    expect(await page.getAttribute('#f-email', 'placeholder')).toBe('s•••@example.com');
    await fillAnswers(page, { name: 'Sigrún', why: 'Gott verð og fljót afgreiðsla' });
    await page.check('#f-acceptTerms');
    await page.click('button[type=submit]');

    // The page's script replaces the form with the server's localized message.
    const done = page.locator('section[role=status] h2');
    await done.waitFor();
    expect(await done.textContent()).toBe('Takk fyrir! Kíktu í tölvupóstinn þinn');
    expect(emailsTo(await inbox(runtime), 'sigrun@example.com').map((m) => m.subject)).toEqual(['Norðurljós Outdoor: vinsamlegast staðfestu netfangið þitt']);
    await page.close();
  });

  it('is laid out right to left in Hebrew, shows errors inline, and thanks the customer once corrected', async () => {
    const order = await recordOrder(runtime, { orderId: 'E2E-HE', customerEmail: 'dana@example.com', locale: 'en' });
    const page = await browser.newPage();
    await page.goto(`${order.formUrl}?lang=he`);

    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    expect(await page.getAttribute('html', 'lang')).toBe('he');
    // Evaluated in the page (a string, since the test's TypeScript has no DOM types).
    const direction: unknown = await page.evaluate('getComputedStyle(document.body).direction');
    expect(direction).toBe('rtl');
    // Logical CSS: the card's start edge is on the right in RTL.
    const box = await page.locator('#kinship-form button[type=submit]').boundingBox();
    const viewport = page.viewportSize();
    expect(box && viewport ? box.x + box.width > viewport.width / 2 : false).toBe(true);

    await fillAnswers(page, { name: 'דנה', why: 'שירות מעולה' });
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('#err-acceptTerms')).toBe('כדי לקבל את המתנה יש להסכים לתנאים.');

    await page.check('#f-acceptTerms');
    await page.click('button[type=submit]');
    // The page's script replaces the form with the server's localized message.
    const done = page.locator('section[role=status] h2');
    await done.waitFor();
    expect(await done.textContent()).toBe('תודה! נא לבדוק את תיבת הדוא״ל');
    expect(emailsTo(await inbox(runtime), 'dana@example.com').map((m) => m.subject)).toEqual(['\u2068Norðurljós Outdoor\u2069: נא לאשר את כתובת הדוא״ל שלכם']);
    await page.close();
  });

  it('works without JavaScript: a plain form post lands on the localized thank-you page', async () => {
    const order = await recordOrder(runtime, { orderId: 'E2E-NOJS', customerEmail: 'jonas@example.com', locale: 'is' });
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${order.formUrl}?lang=he`);

    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    await fillAnswers(page, { name: 'יונה', why: 'קרוב לבית' });
    await page.check('#f-acceptTerms');
    await Promise.all([page.waitForURL(/\/api\/submissions$/), page.click('button[type=submit]')]);

    expect(await page.textContent('h1')).toBe('תודה! נא לבדוק את תיבת הדוא״ל');
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    expect(emailsTo(await inbox(runtime), 'jonas@example.com')).toHaveLength(1);
    await context.close();
  });

  it('confirms only when the customer presses the button on the confirm page, without JavaScript, right to left in Hebrew', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    // Opening the link (what a link scanner does too) shows the page and gives no reward yet.
    await page.goto(confirmLinkOf(emailsTo(await inbox(runtime), 'jonas@example.com')[0]));
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    expect(await page.textContent('h1')).toBe('אישור כתובת הדוא״ל שלכם ב־\u2068Norðurljós Outdoor\u2069');
    expect(await page.locator('.code').count()).toBe(0);

    await Promise.all([page.waitForLoadState('load'), page.click('form[method=post] button[type=submit]')]);
    await expect.poll(() => page.textContent('h1')).toBe('כתובת הדוא״ל שלכם אושרה');
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    expect((await page.textContent('.code'))?.trim()).toMatch(/^[A-Z0-9-]{6,}$/);
    expect(emailsTo(await inbox(runtime), 'jonas@example.com')).toHaveLength(2);
    await context.close();
  });
});
