import { html, type SafeHtml } from '#shared/i18n/html.ts';
import type { Translator } from '#shared/i18n/catalogs.ts';
import type { CustomerView } from '#shared/console/customer-view.ts';
import type { ConsolePage, ConsoleUser } from '#shared/console/console-layout.ts';
import { mayOpen } from '#shared/auth/staff-roles.ts';
import { label, ltr, money, table, when } from '#shared/console/pages/format.ts';

function section(id: string, title: string, content: SafeHtml, extra: SafeHtml | string = ''): SafeHtml {
  return html`<section class="card" aria-labelledby="${id}"><h2 id="${id}">${title}</h2>${extra}${content}</section>`;
}

/** The customer seen whole: value, segments and why, orders, answers, consent, emails, contacts, cases, referrals. */
export function customerPage(t: Translator, user: ConsoleUser, path: string, view: CustomerView, notice: string | undefined): ConsolePage {
  const p = view.profile;
  const currency = p.currency;
  const title = p.customerName ?? p.customerId;
  const satisfaction = p.latestSatisfaction;
  return {
    t,
    user,
    path,
    section: 'find',
    title,
    body: html`<h1>${title}</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<p><a class="button" href="/console/customers/${p.customerId}/contact">${t.t('console.contact.record')}</a>${mayOpen(user.groups, 'admin') ? html` <a href="/console/privacy?customerId=${encodeURIComponent(p.customerId)}">${t.t('console.customer.privacy')}</a>` : ''}</p>
<div class="grid">
${section(
  'overview',
  t.t('console.customer.overview'),
  html`<dl>
<dt>${t.t('console.customer.email')}</dt><dd>${ltr(p.email ?? '—')}</dd>
${view.phone ? html`<dt>${t.t('console.customer.phone')}</dt><dd>${ltr(view.phone)}</dd>` : ''}
<dt>${t.t('console.customer.id')}</dt><dd>${ltr(p.customerId)}</dd>
<dt>${t.t('console.customer.netSpend')}</dt><dd>${money(t, p.netSpendMinor, currency)}</dd>
<dt>${t.t('console.customer.orders')}</dt><dd>${p.orderCount}</dd>
<dt>${t.t('console.customer.firstPurchase')}</dt><dd>${when(t, p.firstPurchaseAt)}</dd>
<dt>${t.t('console.customer.lastPurchase')}</dt><dd>${when(t, p.lastPurchaseAt)}</dd>
<dt>${t.t('console.customer.satisfaction')}</dt><dd>${satisfaction ? t.t('console.customer.satisfactionValue', { score: satisfaction.score, source: label(t, 'console.source', satisfaction.source), date: when(t, satisfaction.at) }) : '—'}</dd>
<dt>${t.t('console.customer.referrals')}</dt><dd>${p.referralCount}</dd>
</dl>`,
)}
${section(
  'segments',
  t.t('console.customer.segments'),
  table(
    t,
    t.t('console.customer.segments'),
    [t.t('console.customer.segment'), t.t('console.customer.why'), t.t('console.customer.since')],
    view.segments.map((s) => html`<tr><td>${s.segment}</td><td>${s.reason}</td><td>${when(t, s.enteredAt)}</td></tr>`),
  ),
)}
</div>
${section(
  'orders',
  t.t('console.customer.orders'),
  table(
    t,
    t.t('console.customer.orders'),
    [t.t('console.customer.orderId'), t.t('console.customer.date'), t.t('console.customer.total'), t.t('console.customer.lines')],
    view.orders.map(
      (o) => html`<tr><td>${ltr(o.orderId)}</td><td>${when(t, o.purchasedAt)}</td><td>${money(t, o.totalMinor, o.currency)}</td><td>${o.lines}</td></tr>`,
    ),
  ),
)}
${section(
  'answers',
  t.t('console.customer.answers'),
  table(
    t,
    t.t('console.customer.answers'),
    [
      t.t('console.customer.date'),
      t.t('console.customer.orderId'),
      t.t('console.customer.satisfied'),
      t.t('console.customer.why'),
      t.t('console.customer.interests'),
    ],
    view.answers.map(
      (a) =>
        html`<tr><td>${when(t, a.submittedAt)}</td><td>${ltr(a.orderId)}</td><td>${a.satisfaction ?? '—'}</td><td>${a.satisfactionReason ?? a.whyChoseUs ?? ''}</td><td>${a.interests.join(', ')}</td></tr>`,
    ),
  ),
)}
${section(
  'contacts',
  t.t('console.customer.contacts'),
  table(
    t,
    t.t('console.customer.contacts'),
    [
      t.t('console.customer.date'),
      t.t('console.contact.channel'),
      t.t('console.contact.reason'),
      t.t('console.customer.satisfied'),
      t.t('console.contact.whatWasDone'),
      t.t('console.contact.outcome'),
      t.t('console.contact.staff'),
    ],
    view.contacts
      .map(
        (c) =>
          html`<tr><td>${when(t, c.recordedAt)}</td><td>${label(t, 'console.channel', c.channel)}</td><td>${label(t, 'console.reason', c.reason)}</td><td>${c.satisfied}${c.satisfiedWhy ? html` — ${c.satisfiedWhy}` : ''}</td><td>${c.whatWasDone ?? ''}${c.note ? html`<br><span class="muted">${c.note}</span>` : ''}</td><td>${label(t, 'console.outcome', c.outcome)}</td><td>${ltr(c.staffId)}</td></tr>`,
      )
      .concat(
        // Survey answers are the customer's own words, from an email link: no satisfaction score, outcome or staff.
        view.surveyAnswers.map(
          (a) =>
            html`<tr class="survey-answer"><td>${when(t, a.updatedAt ?? a.recordedAt)}</td><td>${label(t, 'console.channel', a.channel)}</td><td>${label(t, 'survey.reason', a.reason)}</td><td>—</td><td>${a.note ? html`<span class="muted">${a.note}</span>` : ''}</td><td>—</td><td>${ltr(a.campaignId)}</td></tr>`,
        ),
      ),
  ),
)}
${section(
  'cases',
  t.t('console.cases.title'),
  table(
    t,
    t.t('console.cases.title'),
    [t.t('console.cases.opened'), t.t('console.contact.reason'), t.t('console.cases.status'), t.t('console.cases.owner')],
    view.cases.map(
      (c) =>
        html`<tr><td><a href="/console/cases/${c.caseId}">${when(t, c.openedAt)}</a></td><td>${label(t, 'console.reason', c.reason)}</td><td>${label(t, 'console.status', c.status)}</td><td>${ltr(c.owner ?? '—')}</td></tr>`,
    ),
  ),
)}
${section(
  'referrals',
  t.t('console.customer.referralsMade'),
  table(
    t,
    t.t('console.customer.referralsMade'),
    [t.t('console.customer.referred'), t.t('console.customer.date'), t.t('console.customer.netSpend'), t.t('console.customer.thanked')],
    view.referrals.map(
      (r) =>
        html`<tr><td><a href="/console/customers/${r.referredId}">${r.referredName ?? r.referredId}</a></td><td>${when(t, r.at)}</td><td>${money(t, r.referredNetSpendMinor, currency)} (${r.referredOrders})</td><td>${r.thanked.length > 0 ? r.thanked.map((e) => html`${e.eventType} ${when(t, e.at)}<br>`) : t.t('console.customer.notThanked')}</td></tr>`,
    ),
  ),
)}
<div class="grid">
${section(
  'consent',
  t.t('console.customer.consent'),
  table(
    t,
    t.t('console.customer.consent'),
    [t.t('console.customer.date'), t.t('console.customer.consentKind'), t.t('console.customer.source'), t.t('console.customer.marketing')],
    view.consent.map(
      (c) =>
        html`<tr><td>${when(t, c.at)}</td><td>${c.kind}</td><td>${c.source}</td><td>${c.marketing === undefined ? '—' : c.marketing ? t.t('console.yes') : t.t('console.no')}</td></tr>`,
    ),
  ),
)}
${section(
  'emails',
  t.t('console.customer.emails'),
  table(
    t,
    t.t('console.customer.emails'),
    [t.t('console.customer.date'), t.t('console.customer.event'), t.t('console.customer.campaign')],
    view.emailEvents.slice(0, 100).map((e) => html`<tr><td>${when(t, e.at)}</td><td>${e.eventType}</td><td>${e.campaignId ?? e.kind ?? ''}</td></tr>`),
  ),
)}
</div>`,
  };
}
