/**
 * The demo shop `npm start` seeds the first time: ~40 customers of an Icelandic outdoor shop (Icelandic,
 * Danish, Finnish, Hebrew and English names; addresses on the reserved example.com/.org/.net domains) and a
 * few hundred orders over the last two years, with one-time, occasional, frequent, lapsed and new buyers and
 * a few refunds. Generated from a fixed PRNG seed, so the same `now` always gives the same shop (the runtime
 * keeps the first start's `now` in the state directory, so an interrupted seed resumes with the same orders);
 * POSTed through the real POST /api/purchases, so profiles are built by the production code path.
 */
import { z } from 'zod';
import { minorUnitDigits } from '#shared/money.ts';
import type { LineItemInput, PurchaseInput } from '#shared/purchases/purchase-input.ts';
import { SIMULATOR_DOMAIN } from '#local/mailbox-simulator.ts';
import { StateNeedsResetError } from '#local/state.ts';
import { localRequest } from '#local/local-request.ts';

export const DEMO_SEED = 20_261_125;

/** mulberry32: tiny, fast, and the same sequence on every platform. */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Language = 'is' | 'da' | 'fi' | 'he' | 'en';
type Archetype = 'one-time' | 'occasional' | 'frequent' | 'lapsed' | 'new';

export interface DemoCustomer {
  name: string;
  email: string;
  locale: string;
  currency: string;
  archetype: Archetype;
}

export interface DemoShop {
  customers: DemoCustomer[];
  /** In purchase order (oldest first). */
  purchases: PurchaseInput[];
}

/** [display name, local part of the email] per language. */
const PEOPLE: Record<Language, [string, string][]> = {
  is: [
    ['Anna Jónsdóttir', 'anna.jonsdottir'],
    ['Guðrún Sigurðardóttir', 'gudrun.sigurdardottir'],
    ['Jón Einarsson', 'jon.einarsson'],
    ['Sigríður Ólafsdóttir', 'sigridur.olafsdottir'],
    ['Ólafur Magnússon', 'olafur.magnusson'],
    ['Helga Þórðardóttir', 'helga.thordardottir'],
    ['Kristján Gunnarsson', 'kristjan.gunnarsson'],
    ['Bryndís Halldórsdóttir', 'bryndis.halldorsdottir'],
    ['Einar Þorsteinsson', 'einar.thorsteinsson'],
    ['Þórunn Björnsdóttir', 'thorunn.bjornsdottir'],
  ],
  da: [
    ['Mette Nielsen', 'mette.nielsen'],
    ['Søren Jørgensen', 'soren.jorgensen'],
    ['Freja Østergaard', 'freja.ostergaard'],
    ['Lars Kjærgaard', 'lars.kjaergaard'],
    ['Ida Mikkelsen', 'ida.mikkelsen'],
    ['Mads Sørensen', 'mads.sorensen'],
    ['Sofie Lindholm', 'sofie.lindholm'],
    ['Rasmus Bæk', 'rasmus.baek'],
  ],
  fi: [
    ['Aino Virtanen', 'aino.virtanen'],
    ['Mikko Korhonen', 'mikko.korhonen'],
    ['Sanna Mäkinen', 'sanna.makinen'],
    ['Juha Nieminen', 'juha.nieminen'],
    ['Elina Hämäläinen', 'elina.hamalainen'],
    ['Ville Järvinen', 'ville.jarvinen'],
    ['Kaisa Lehtonen', 'kaisa.lehtonen'],
    ['Tuomas Heikkilä', 'tuomas.heikkila'],
  ],
  he: [
    ['נועה כהן', 'noa.cohen'],
    ['יוסף לוי', 'yosef.levi'],
    ['מיכל מזרחי', 'michal.mizrahi'],
    ['אורי פרץ', 'uri.peretz'],
    ['תמר ביטון', 'tamar.biton'],
    ['דניאל אברהם', 'daniel.avraham'],
    ['שירה פרידמן', 'shira.friedman'],
  ],
  en: [
    ['Emily Clarke', 'emily.clarke'],
    ['James Whitfield', 'james.whitfield'],
    ['Olivia Bennett', 'olivia.bennett'],
    ['Thomas Hughes', 'thomas.hughes'],
    ['Charlotte Davies', 'charlotte.davies'],
    ['Oliver Grant', 'oliver.grant'],
    ['Amelia Brooks', 'amelia.brooks'],
  ],
};

const LANGUAGES: readonly Language[] = ['is', 'da', 'fi', 'he', 'en'];
const LOCALE: Record<Language, string> = { is: 'is-IS', da: 'da-DK', fi: 'fi-FI', he: 'he-IL', en: 'en-GB' };
/** Reserved example domains (RFC 2606): nothing is ever delivered to them. */
const DOMAINS = ['example.com', 'example.org', 'example.net'];

/** The catalogue, priced in EUR (the shop's base currency). */
const CATALOGUE: { sku: string; name: string; category: string; eur: number; maxQuantity: number }[] = [
  { sku: 'TENT-2P', name: 'Two-person tent', category: 'tents', eur: 249.9, maxQuantity: 1 },
  { sku: 'TENT-4P', name: 'Four-person tent', category: 'tents', eur: 429, maxQuantity: 1 },
  { sku: 'BAG-3S', name: 'Three-season sleeping bag', category: 'sleeping-bags', eur: 149.9, maxQuantity: 2 },
  { sku: 'BAG-WIN', name: 'Winter sleeping bag', category: 'sleeping-bags', eur: 289, maxQuantity: 1 },
  { sku: 'JKT-SHELL', name: 'Hardshell jacket', category: 'jackets', eur: 319, maxQuantity: 1 },
  { sku: 'JKT-DOWN', name: 'Down jacket', category: 'jackets', eur: 239, maxQuantity: 1 },
  { sku: 'BOOT-HIKE', name: 'Hiking boots', category: 'footwear', eur: 179.9, maxQuantity: 1 },
  { sku: 'SOCK-WOOL', name: 'Wool hiking socks', category: 'footwear', eur: 19.9, maxQuantity: 4 },
  { sku: 'STOVE-GAS', name: 'Camping stove', category: 'cooking', eur: 69.9, maxQuantity: 1 },
  { sku: 'POT-TI', name: 'Titanium pot set', category: 'cooking', eur: 54.9, maxQuantity: 1 },
  { sku: 'PACK-45', name: '45 L backpack', category: 'backpacks', eur: 159, maxQuantity: 1 },
  { sku: 'LAMP-HEAD', name: 'Headlamp', category: 'accessories', eur: 39.9, maxQuantity: 2 },
  { sku: 'BOTTLE-INS', name: 'Insulated bottle', category: 'accessories', eur: 29.9, maxQuantity: 3 },
  { sku: 'MAP-HIGHL', name: 'Highlands hiking map', category: 'books', eur: 14.9, maxQuantity: 2 },
];

/** EUR per unit of each currency, as in config/shop.yaml. */
const EUR_PER_UNIT: Record<string, number> = { EUR: 1, ISK: 0.0069, DKK: 0.134, USD: 0.92, ILS: 0.25 };

const DAY = 86_400_000;

/** A shop price in `currency` minor units: converted from EUR and rounded the way shops price. */
export function priceMinor(eur: number, currency: string): number {
  const major = eur / (EUR_PER_UNIT[currency] ?? 1);
  if (currency === 'ISK') return Math.round(major / 100) * 100;
  if (currency === 'DKK') return Math.round(major / 5) * 5 * 100;
  if (currency === 'EUR') return Math.round(eur * 100);
  return Math.round(major) * 100 - (currency === 'ILS' ? 10 : 1);
}

const toMajor = (minor: number, currency: string) => minor / 10 ** minorUnitDigits(currency);

/** Generates the demo shop for `now`: the same seed and `now` always give the same customers and orders. */
export function generateDemoShop(options: { now: Date; seed?: number }): DemoShop {
  const random = createPrng(options.seed ?? DEMO_SEED);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const nowMs = Math.floor(options.now.getTime() / 60_000) * 60_000;

  const archetypes: Archetype[] = [
    ...Array<Archetype>(12).fill('one-time'),
    ...Array<Archetype>(14).fill('occasional'),
    ...Array<Archetype>(8).fill('frequent'),
    ...Array<Archetype>(4).fill('lapsed'),
    ...Array<Archetype>(2).fill('new'),
  ];
  const people = LANGUAGES.flatMap((language) => PEOPLE[language].map(([name, local]) => ({ language, name, local })));
  // Shuffle the archetypes so behaviour does not follow language.
  for (let i = archetypes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = archetypes[i];
    const b = archetypes[j];
    if (a !== undefined && b !== undefined) {
      archetypes[i] = b;
      archetypes[j] = a;
    }
  }

  const customers: DemoCustomer[] = people.map((person, index) => {
    const currency =
      person.language === 'is'
        ? random() < 0.7
          ? 'ISK'
          : 'EUR'
        : person.language === 'da'
          ? 'DKK'
          : person.language === 'he'
            ? 'ILS'
            : person.language === 'en'
              ? random() < 0.5
                ? 'USD'
                : 'EUR'
              : 'EUR';
    return {
      name: person.name,
      email: `${person.local}@${DOMAINS[index % DOMAINS.length] ?? 'example.com'}`,
      locale: LOCALE[person.language],
      currency,
      archetype: archetypes[index] ?? 'occasional',
    };
  });
  // Four customers at the SES mailbox simulator (local/mailbox-simulator.ts), so moving the clock shows a bounce and a
  // complaint. `+demo` keeps each address (and so each customer id) distinct. Every fourth customer after the first
  // skips the form: here that is ooto@, whose events are a plain delivery anyway.
  for (const box of ['ooto', 'success', 'bounce', 'complaint'])
    customers.push({ name: `Simulator ${box}`, email: `${box}+demo@simulator.amazonses.com`, locale: 'en', currency: 'EUR', archetype: 'occasional' });
  // The first customer (Anna, Icelandic) always buys recently, so the demo form link is fresh and in Icelandic.
  const first = customers[0];
  if (first) first.archetype = 'frequent';

  const draft: { customer: DemoCustomer; at: number; lines: LineItemInput[]; refundOf?: string }[] = [];
  for (const customer of customers) {
    const span = 730 * DAY;
    const times: number[] = [];
    const count = { 'one-time': 1, occasional: between(2, 6), frequent: between(10, 25), lapsed: between(2, 5), new: between(1, 2) }[customer.archetype];
    for (let i = 0; i < count; i++) {
      const ageMs =
        customer.archetype === 'lapsed'
          ? between(400, 729) * DAY
          : customer.archetype === 'new'
            ? between(0, 25) * DAY
            : customer.archetype === 'frequent'
              ? Math.floor(random() ** 1.5 * span)
              : between(0, 729) * DAY;
      // Shop hours, on the minute; never in the future.
      const at = nowMs - ageMs - between(0, 23) * 3_600_000 + between(0, 59) * 60_000;
      times.push(Math.min(nowMs - 60_000, Math.floor(at / 60_000) * 60_000));
    }
    if (customer === first) times.push(nowMs - 2 * DAY);
    for (const at of times) {
      const lines: LineItemInput[] = [];
      const used = new Set<string>();
      for (let n = between(1, 3); n > 0; n--) {
        const product = pick(CATALOGUE);
        if (used.has(product.sku)) continue;
        used.add(product.sku);
        lines.push({
          sku: product.sku,
          name: product.name,
          category: product.category,
          price: toMajor(priceMinor(product.eur, customer.currency), customer.currency),
          quantity: between(1, product.maxQuantity),
        });
      }
      draft.push({ customer, at, lines });
    }
  }
  draft.sort((a, b) => a.at - b.at || a.customer.email.localeCompare(b.customer.email));

  const purchases: PurchaseInput[] = [];
  draft.forEach((order, index) => {
    const day = new Date(order.at).toISOString().slice(0, 10).replaceAll('-', '');
    const orderId = `DEMO-${day}-${String(index + 1).padStart(4, '0')}`;
    const currency = order.customer.currency;
    const totalMinor = order.lines.reduce((sum, line) => sum + Math.round(line.price * 10 ** minorUnitDigits(currency)) * line.quantity, 0);
    purchases.push({
      orderId,
      customerEmail: order.customer.email,
      customerName: order.customer.name,
      locale: order.customer.locale,
      items: order.lines,
      total: toMajor(totalMinor, currency),
      currency,
      purchasedAt: new Date(order.at).toISOString(),
    });
    // About one order in thirty comes back: one line refunded a week later (if that is not in the future).
    const returned = order.lines[0];
    const refundAt = order.at + 7 * DAY;
    if (returned && random() < 1 / 30 && refundAt < nowMs) {
      purchases.push({
        orderId: `${orderId}-R`,
        customerEmail: order.customer.email,
        customerName: order.customer.name,
        locale: order.customer.locale,
        items: [{ ...returned, price: -returned.price, quantity: 1 }],
        total: -returned.price,
        currency,
        purchasedAt: new Date(refundAt).toISOString(),
      });
    }
  });
  purchases.sort((a, b) => a.purchasedAt.localeCompare(b.purchasedAt) || a.orderId.localeCompare(b.orderId));
  return { customers, purchases };
}

/** The order whose form link `npm start` prints: the first customer's latest purchase. */
export function demoOrderOf(shop: DemoShop): PurchaseInput | undefined {
  const email = shop.customers[0]?.email;
  return shop.purchases.filter((p) => p.customerEmail === email && p.total > 0).at(-1);
}

export interface SeedResult {
  customers: number;
  orders: number;
  /** Customers who filled in the form and confirmed their address (so campaigns have someone to email). */
  confirmed: number;
  demoOrder: PurchaseInput | undefined;
  demoFormUrl: string | undefined;
}

/** The purchase API refused an order (the status says why: 409 = that order id was recorded with other contents). */
export class PurchaseRefusedError extends Error {
  override readonly name = 'PurchaseRefusedError';
  constructor(
    readonly status: number,
    body: unknown,
  ) {
    super(`POST /api/purchases answered ${status}: ${JSON.stringify(body)}`);
  }
}

/** POSTs one purchase through the API; returns its form link (undefined for a refund, which has no form). */
export async function postPurchase(apiUrl: string, apiKey: string, purchase: unknown): Promise<string | undefined> {
  const response = await fetch(new URL('/api/purchases', apiUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify(purchase),
  });
  const body: unknown = await response.json().catch(() => undefined);
  const formUrl = typeof body === 'object' && body !== null ? Reflect.get(body, 'formUrl') : undefined;
  if ((response.status !== 201 && response.status !== 200) || (typeof formUrl !== 'string' && formUrl !== null))
    throw new PurchaseRefusedError(response.status, body);
  return formUrl ?? undefined;
}

export type SeedStage = 'orders' | 'customers';

export interface SeedOptions {
  apiUrl: string;
  apiKey: string;
  sesUrl?: string;
  /** The seed's anchor: the shop is generated for this instant (see generateDemoShop), the same on every resume. */
  now: Date;
  concurrency?: number;
  /** After each order posted (stage "orders"), then after each chosen customer's form and confirmation ("customers"). */
  onProgress?: (done: number, total: number, stage: SeedStage) => void;
  /**
   * The confirmation link of an order whose opt-in email an earlier, interrupted start received (the SES emulator's
   * inbox lives in its process, so that email is gone): the runtime rebuilds the link from the stored submission.
   */
  confirmLinkFor?: (orderId: string) => Promise<string | undefined>;
  /**
   * Resolves when the pipeline is idle: the SES events of the opt-in email just sent have been handled. Awaited
   * before a mailbox-simulator customer confirms, as in SES a bounce or complaint lands seconds after the send and
   * long before a person clicks; without it the click could race the suppression it should meet.
   */
  settled?: () => Promise<void>;
}

/**
 * Seeds the demo shop through the running API, a few customers at a time, reporting progress. Each worker
 * takes a whole customer and posts their orders oldest first, so no two requests contend for one profile
 * (contention would only cost retries) and each profile sees its orders in time order.
 *
 * Safe to run again after an interruption, with the same `now`: orders already recorded are identical replays
 * (200, same result), a form already answered answers 200, and a customer already confirmed is counted, not
 * confirmed twice.
 */
export async function seedDemoShop(options: SeedOptions): Promise<SeedResult> {
  const shop = generateDemoShop({ now: options.now });
  const demoOrder = demoOrderOf(shop);
  const byCustomer = new Map<string, PurchaseInput[]>();
  for (const purchase of shop.purchases) byCustomer.set(purchase.customerEmail, [...(byCustomer.get(purchase.customerEmail) ?? []), purchase]);
  // Busiest customers first, so the slowest chains start early.
  const queue = [...byCustomer.values()].sort((a, b) => b.length - a.length);
  let done = 0;
  let demoFormUrl: string | undefined;
  const latestForm = new Map<string, { formUrl: string; purchase: PurchaseInput }>();
  // One worker's failure stops the others: nothing is posted after the seed has failed.
  let failed = false;
  const worker = async () => {
    for (let orders = queue.shift(); orders && !failed; orders = queue.shift()) {
      for (const purchase of orders) {
        if (failed) return;
        const formUrl = await postPurchase(options.apiUrl, options.apiKey, purchase).catch((error: unknown) => {
          if (error instanceof PurchaseRefusedError && error.status === 409) {
            throw new StateNeedsResetError(
              `The table already holds demo order ${purchase.orderId} with other contents than the demo shop of ${options.now.toISOString()} (seeded by an older version, or the state directory lost its seed record)`,
            );
          }
          throw error;
        });
        if (purchase === demoOrder) demoFormUrl = formUrl;
        if (formUrl !== undefined && purchase.total > 0) latestForm.set(purchase.customerEmail, { formUrl, purchase });
        options.onProgress?.(++done, shop.purchases.length, 'orders');
      }
    }
  };
  await Promise.all(
    Array.from({ length: options.concurrency ?? 8 }, () =>
      worker().catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    ),
  );
  const confirmed = options.sesUrl ? await confirmSomeCustomers(shop, latestForm, { ...options, sesUrl: options.sesUrl }) : 0;
  return { customers: shop.customers.length, orders: shop.purchases.length, confirmed, demoOrder, demoFormUrl };
}

/** Answers 410 when a form or confirmation link has expired: a resume long after the first start skips that customer. */
const GONE = 410;

/**
 * Three in four demo customers (never the first, whose form link `npm start` prints for you to fill in) answer the
 * incentive form through the real API — with marketing consent, varied satisfaction, some naming a referrer — and
 * click the confirmation link in the email the SES emulator caught. That is how the campaigns get an audience.
 * Each posts from its own loopback address, as distinct customers would, so the form's rate limit stays honest.
 * A customer the API reports as confirmed already (an earlier, interrupted start) is counted and left alone.
 */
async function confirmSomeCustomers(
  shop: DemoShop,
  latestForm: Map<string, { formUrl: string; purchase: PurchaseInput }>,
  options: SeedOptions & { sesUrl: string },
): Promise<number> {
  const { apiUrl, sesUrl } = options;
  let confirmed = 0;
  const chosen = shop.customers.slice(1).filter((_, i) => i % 4 !== 3);
  for (const [i, customer] of chosen.entries()) {
    const form = latestForm.get(customer.email);
    if (!form) continue;
    const fromIp = `127.0.${Math.floor(i / 200) + 1}.${(i % 200) + 2}`;
    const token = new URL(form.formUrl).pathname.split('/').pop() ?? '';
    const answers = {
      token,
      lang: customer.locale,
      email: customer.email,
      products: form.purchase.items.map((item) => item.sku),
      acceptTerms: true,
      marketingConsent: true,
      satisfaction: [5, 4, 5, 2, 4, 1][i % 6],
      ...(i % 5 === 0 && shop.customers[0] ? { referrerEmail: shop.customers[0].email } : {}),
    };
    const submitted = await localRequest(new URL('/api/submissions', apiUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(answers),
      fromIp,
    });
    if (submitted.status === GONE) {
      options.onProgress?.(i + 1, chosen.length, 'customers');
      continue;
    }
    if (submitted.status !== 201 && submitted.status !== 200)
      throw new Error(`POST /api/submissions answered ${submitted.status} while seeding: ${submitted.body}`);
    if (stateOf(submitted.body) === 'confirmed') {
      confirmed++;
      options.onProgress?.(i + 1, chosen.length, 'customers');
      continue;
    }
    if (customer.email.endsWith(`@${SIMULATOR_DOMAIN}`)) await options.settled?.();
    const store = await localRequest(new URL('/store', sesUrl), {});
    const link = confirmLinkIn(store.body, customer.email) ?? (await options.confirmLinkFor?.(form.purchase.orderId));
    if (!link) throw new Error(`no confirmation email for a seeded customer in the SES emulator (${sesUrl}/store)`);
    // The confirm link opens a page; the customer's press of its button is the POST that confirms.
    const clicked = await localRequest(new URL(link), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '', fromIp });
    if (clicked.status === 200) confirmed++;
    else if (clicked.status !== GONE) throw new Error(`the seeded confirmation link answered ${clicked.status}`);
    options.onProgress?.(i + 1, chosen.length, 'customers');
  }
  return confirmed;
}

const SubmitAnswer = z.object({ state: z.enum(['awaiting-confirmation', 'confirmed']) });

function stateOf(body: string): string | undefined {
  try {
    return SubmitAnswer.safeParse(JSON.parse(body)).data?.state;
  } catch {
    return undefined;
  }
}
const StoreShape = z.object({
  emails: z.array(z.object({ destination: z.object({ to: z.array(z.string()) }), body: z.object({ text: z.string().optional() }) })),
});

function confirmLinkIn(storeJson: string, address: string): string | undefined {
  const emails = StoreShape.parse(JSON.parse(storeJson)).emails.filter((e) => e.destination.to.includes(address));
  for (const email of emails.reverse()) {
    const link = /https?:\/\/\S+\/confirm\?token=[A-Za-z0-9._~-]+/.exec(email.body.text ?? '')?.[0];
    if (link) return link;
  }
  return undefined;
}
