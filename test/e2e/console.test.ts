import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import { topology, type Topology } from '#shared/topology.ts';
import { emailsTo, inbox, recordOrder, send } from '#test/support/capture-client.ts';
import { CHROMIUM_ARGS, chromiumExecutable } from '#test/support/chromium.ts';
import { demoUser } from '#test/support/console-client.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

const consoleTopology: Topology = {
  functions: topology.functions.filter((fn) => ['record-purchase', 'console', 'record-interaction', 'escalate-cases'].includes(fn.name)),
  queues: [],
};
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let runtime: LocalRuntime;
let browser: Browser;
let customerId: string;

beforeAll(async () => {
  [runtime, browser] = await Promise.all([
    startLocalRuntime({
      topology: consoleTopology,
      ...onSharedDynamoDb('console-e2e'),
      ports: { http: 0, dynamodb: 0, ses: 0, events: 0, sqs: 0 },
      clock: { mode: 'real' },
      tickSchedules: false,
    }),
    chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS }),
  ]);
  ({ customerId } = await recordOrder(runtime, {
    orderId: 'E2E-C-1',
    customerEmail: 'sólveig@example.com'.normalize('NFC').replace('ó', 'o'),
    customerName: 'Sólveig Pálsdóttir',
    purchasedAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
  }));
});
afterAll(async () => {
  await browser.close();
  await runtime.stop();
});

/** A fresh browser context (its own cookies); CSP bypassed only so the test can inject axe-core into the pages. */
async function context(options: { javaScript?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({ bypassCSP: true, javaScriptEnabled: options.javaScript ?? true, locale: 'en-GB' });
}

/** Opens the console, goes through the emulator's hosted sign-in form, and lands on the console. */
async function signIn(ctx: BrowserContext, group: 'staff' | 'marketer' | 'admin', path = '/console'): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(new URL(path, runtime.urls.api).toString());
  const { username, password } = demoUser(runtime, group);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.pathname.startsWith('/console'));
  return page;
}

const AxeResult = z.object({
  violations: z.array(z.object({ id: z.string(), impact: z.string().nullable().optional(), nodes: z.array(z.object({ target: z.array(z.unknown()) })) })),
});

/** axe-core on the page as it is: the serious and critical violations, as "rule: selector" lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const raw: unknown = await page.evaluate('axe.run(document, { resultTypes: ["violations"] })');
  return AxeResult.parse(raw)
    .violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/console-${name}.png`, fullPage: true });
}

describe('the staff console in headless Chromium', () => {
  it('signs staff in, finds a customer, records an unhappy contact, and takes the case it opens through to resolved', async () => {
    const ctx = await context();
    const page = await signIn(ctx, 'staff');
    expect(new URL(page.url()).pathname).toBe('/console');
    expect(await seriousViolations(page)).toEqual([]);

    await page.fill('#q', 'Sólveig');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.click(`a[href="/console/customers/${customerId}"]`);
    await page.waitForURL(`**/console/customers/${customerId}`);
    expect(await page.textContent('h1')).toBe('Sólveig Pálsdóttir');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'customer');

    await page.click('text=Record a contact');
    expect(await seriousViolations(page)).toEqual([]);
    await page.check('#f-channel-in-store');
    await page.selectOption('#f-reason', 'complaint');
    await page.check('#f-satisfied-2');
    await page.fill('#f-satisfiedWhy', 'The tent pole snapped on the first trip');
    await page.fill('#f-whatWasDone', 'Ordered a replacement pole');
    await page.check('#f-outcome-follow-up');
    await screenshot(page, 'contact-form');
    await page.click('button:has-text("Save contact")');
    await page.waitForURL(/\/console\/cases\/cs_/);
    expect(await page.textContent('.notice')).toContain('this case was opened');
    expect(await page.textContent('dd')).toBe('Open, unassigned');
    expect(await seriousViolations(page)).toEqual([]);

    await page.click('button:has-text("Assign")');
    await page.waitForURL(/saved=assigned/);
    expect(await page.textContent('dd')).toBe('Assigned');

    await page.fill('#f-whatWentWrong', 'A faulty batch of tent poles');
    await page.fill('#f-howHandled', 'Replacement pole sent, customer called back');
    await page.check('#f-resolved-yes');
    await page.check('#f-needsPolicyChange');
    await page.fill('#f-policyNote', 'Check poles from this supplier on arrival');
    await screenshot(page, 'case-close');
    await page.click('button:has-text("Close case")');
    await page.waitForURL(/saved=closed/);
    expect(await page.textContent('dd')).toBe('Closed');
    expect(await page.textContent('main')).toContain('Check poles from this supplier on arrival');

    await page.goto(new URL('/console/cases?status=all', runtime.urls.api).toString());
    expect(await page.textContent('#by-reason + table')).toContain('Complaint');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'cases');

    await page.goto(new URL(`/console/customers/${customerId}`, runtime.urls.api).toString());
    expect(await page.textContent('#contacts + table')).toContain('Ordered a replacement pole');
    expect(await page.textContent('#overview + dl')).toContain('2 of 5 (staff contact');
    await ctx.close();
  }, 180_000);

  it('emails staff when an unhappy customer’s case is left unassigned and the clock moves past the hours', async () => {
    const reply = await send(new URL('/api/interactions', runtime.urls.api).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': runtime.apiKey },
      body: JSON.stringify({ interactionId: 'E2E-ESC', customerId, channel: 'phone', reason: 'return', satisfied: 1, outcome: 'escalated', staffId: 'till-1' }),
    });
    const { caseId } = z.object({ caseId: z.string() }).parse(JSON.parse(reply.body));
    await runtime.jumpTo(new Date(runtime.clock.now().getTime() + 5 * 3_600_000));
    const notices = emailsTo(await inbox(runtime), 'staff-alerts@kinship.local').filter((e) => e.subject.includes(caseId));
    expect(notices.map((e) => e.subject)).toEqual([`Kinship: case ${caseId} needs attention (unassigned)`]);

    const ctx = await context();
    const page = await signIn(ctx, 'staff', `/console/cases/${caseId}`);
    expect(await page.textContent('main')).toContain('escalated: unassigned');
    await ctx.close();
  });

  it('works without JavaScript: a contact is recorded with plain form posts', async () => {
    const ctx = await context({ javaScript: false });
    const page = await signIn(ctx, 'staff', `/console/customers/${customerId}/contact`);
    await page.check('#f-channel-phone');
    await page.selectOption('#f-reason', 'question');
    await page.check('#f-satisfied-5');
    await page.check('#f-outcome-resolved');
    await page.fill('#f-note', 'Asked about the opening hours');
    await page.click('button:has-text("Save contact")');
    await page.waitForURL(/saved=contact/);
    expect(await page.textContent('.notice')).toBe('The contact is saved.');
    expect(await page.textContent('#contacts + table')).toContain('Asked about the opening hours');
    await ctx.close();
  });

  it('shows field errors in place when a contact is incomplete, keeping what was typed', async () => {
    const ctx = await context();
    const page = await signIn(ctx, 'staff', `/console/customers/${customerId}/contact`);
    await page.fill('#f-note', 'Half-finished');
    // The browser's own required-field check is what a person meets first; leave it out to see the server's answer.
    await page.evaluate('document.querySelector("form.card").noValidate = true');
    await page.click('button:has-text("Save contact")');
    expect(await page.textContent('.summary')).toContain('Choose one.');
    expect(await page.inputValue('#f-note')).toBe('Half-finished');
    await ctx.close();
  });

  it('lays the console out right to left in Hebrew', async () => {
    const ctx = await context();
    const page = await signIn(ctx, 'staff', `/console/customers/${customerId}?lang=he`);
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    expect(await page.getAttribute('html', 'lang')).toBe('he');
    const direction: unknown = await page.evaluate('getComputedStyle(document.body).direction');
    expect(direction).toBe('rtl');
    expect(await page.textContent('a.button')).toBe('תיעוד פנייה');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'customer-he');
    // The choice sticks: the next page is Hebrew without ?lang.
    await page.goto(new URL('/console/cases', runtime.urls.api).toString());
    expect(await page.getAttribute('html', 'lang')).toBe('he');
    expect(await seriousViolations(page)).toEqual([]);
    await ctx.close();
  });

  it('passes axe on the pages only marketers and admins see, and on the message pages', async () => {
    const ctx = await context();
    const page = await signIn(ctx, 'admin', '/console/admin');
    expect(await page.textContent('h1')).toBe('Admin');
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(new URL('/console/reports', runtime.urls.api).toString());
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(new URL('/console/customers/c_000000000000000000000000', runtime.urls.api).toString());
    expect(await seriousViolations(page)).toEqual([]);
    // Privacy (admin): the forms, a field error, and the confirmation before an erasure (not confirmed here).
    await page.goto(new URL(`/console/privacy?customerId=${customerId}`, runtime.urls.api).toString());
    expect(await page.textContent('h1')).toBe('Privacy');
    expect(await seriousViolations(page)).toEqual([]);
    await page.fill('#erase-person', 'not@@valid');
    await page.click('button:has-text("Review the erasure")');
    expect(await page.getAttribute('#erase-person', 'aria-invalid')).toBe('true');
    expect(await seriousViolations(page)).toEqual([]);
    await page.fill('#erase-person', customerId);
    await page.click('button:has-text("Review the erasure")');
    expect(await page.textContent('h1')).toBe('Erase this person?');
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(new URL('/console', runtime.urls.api).toString());
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/signed-out/);
    expect(await seriousViolations(page)).toEqual([]);
    await ctx.close();
  });
});
