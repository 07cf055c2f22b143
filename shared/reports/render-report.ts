/**
 * The report as ONE self-contained HTML page: inline CSS, inline SVG charts, no script, no external asset — it
 * can be mailed, archived or opened from disk. Every chart sits in a <figure> with a caption and, beside it, a
 * table of the same numbers (screen readers and copy-paste read the table).
 */
import { html, raw, type SafeHtml } from '#shared/i18n/html.ts';
import { fromMinorUnits } from '#shared/money.ts';
import type { Report } from '#shared/reports/build-report.ts';
import { reportStrings as s } from '#shared/reports/report-strings.ts';

const c = s.columns;

const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --accent: #4269d0; --bad: #b3261e; --good: #1b7f3b; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f7f9; }
header { padding: 24px 32px 8px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 2px 0; color: var(--muted); }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 12px 0 8px; list-style: none; }
nav a { color: var(--accent); }
main { padding: 8px 32px 40px; max-width: 1400px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 18px 0; }
h2 { margin: 0 0 6px; font-size: 20px; }
h3 { margin: 16px 0 6px; font-size: 16px; }
.intro { color: var(--muted); max-width: 80ch; margin: 0 0 10px; }
.pair { display: flex; flex-wrap: wrap; gap: 16px 28px; align-items: flex-start; margin-bottom: 12px; }
.pair.stacked { flex-direction: column; }
.pair.stacked figure { flex: none; width: 100%; }
figure { margin: 0; flex: 1 1 560px; max-width: 680px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
figure svg { max-width: 100%; height: auto; }
.table-wrap { flex: 1 1 380px; overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
caption { text-align: start; font-weight: 600; padding-bottom: 4px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: end; white-space: nowrap; }
th:first-child, td:first-child { text-align: start; }
thead th { background: #f0f2f6; }
.empty { color: var(--muted); font-style: italic; }
.over { color: var(--bad); font-weight: 600; }
.ok { color: var(--good); font-weight: 600; }
`;

type Cell = string | number | SafeHtml;

function table(caption: string, head: readonly string[], rows: readonly (readonly Cell[])[]): SafeHtml {
  return html`<div class="table-wrap"><table><caption>${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${
    rows.length === 0
      ? html`<tr><td colspan="${head.length}" class="empty">${s.noData}</td></tr>`
      : rows.map((row) => html`<tr>${row.map((cell, i) => (i === 0 ? html`<th scope="row">${cell}</th>` : html`<td>${cell}</td>`))}</tr>`)
  }</tbody></table></div>`;
}

function figure(title: string, svg: string | undefined): SafeHtml {
  // The SVG is markup Plot generated from our numbers in code; every text in it was escaped by the DOM serializer.
  return html`<figure><figcaption>${title}</figcaption>${svg === undefined ? html`<p class="empty">${s.noData}</p>` : raw(svg)}</figure>`;
}

/** A chart and its table side by side, or (`stacked`, for tables too wide to sit beside a chart) one under the other. */
function pair(title: string, svg: string | undefined, tableHtml: SafeHtml, layout: 'beside' | 'stacked' = 'beside'): SafeHtml {
  return html`<div class="${layout === 'stacked' ? 'pair stacked' : 'pair'}">${figure(title, svg)}${tableHtml}</div>`;
}

export function formatters(currency: string) {
  const integer = new Intl.NumberFormat('en-GB');
  const moneyFormat = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
  const pct = (value: number | null, digits = 1) => (value === null ? c.none : `${(value * 100).toFixed(digits)}%`);
  const signed = (value: number, text: string) => (value > 0 ? `+${text}` : text);
  return {
    n: (value: number) => integer.format(value),
    money: (minor: number | null) => (minor === null ? c.none : moneyFormat.format(fromMinorUnits(minor, currency))),
    pct,
    signedPct: (value: number, digits = 1) => signed(value, pct(value, digits)),
    signedMoney: (minor: number) => signed(minor, moneyFormat.format(fromMinorUnits(minor, currency))),
  };
}

/**
 * Async because the chart module (Observable Plot + linkedom, ~730 KB bundled) is imported here, on the first
 * page that draws a chart, not at cold start: the console and show-report Lambdas mostly answer other requests.
 * In their assets it is a file of its own (topology `lazyModules`), so a cold start does not even parse it.
 */
export async function renderReportHtml(report: Report): Promise<string> {
  const charts = await import('#shared/reports/report-charts.ts');
  const f = formatters(report.currency);
  const t = s.sections;
  const day = (iso: string) => iso.slice(0, 10);

  const campaignRows = report.campaigns.map((r) => [
    r.campaignId,
    f.n(r.occurrenceCount),
    f.n(r.planned),
    f.n(r.sent),
    f.n(r.heldOut),
    f.n(r.delivered),
    f.n(r.bounced),
    f.n(r.complained),
    f.n(r.opened),
    f.n(r.clicked),
    f.n(r.unsubscribed),
    f.n(r.converted),
    f.money(r.revenueMinor),
  ]);
  const holdoutRows = report.campaigns.flatMap((r) => {
    const { sent, heldOut, conversionLift, revenueLift } = r.holdout;
    if (heldOut.recipients === 0) return [];
    return [
      [
        r.campaignId,
        `${f.n(sent.recipients)} / ${f.n(heldOut.recipients)}`,
        `${f.pct(sent.conversionRate)} / ${f.pct(heldOut.conversionRate)}`,
        `${f.money(sent.revenuePerRecipientMinor === null ? null : Math.round(sent.revenuePerRecipientMinor))} / ${f.money(heldOut.revenuePerRecipientMinor === null ? null : Math.round(heldOut.revenuePerRecipientMinor))}`,
        conversionLift ? `${f.signedPct(conversionLift.difference, 2)} (${f.pct(conversionLift.low, 2)} … ${f.pct(conversionLift.high, 2)})` : c.none,
        revenueLift
          ? `${f.signedMoney(Math.round(revenueLift.difference))} (${f.money(Math.round(revenueLift.low))} … ${f.money(Math.round(revenueLift.high))})`
          : c.none,
      ],
    ];
  });
  const occurrenceRows = report.campaigns.flatMap((r) =>
    r.occurrences.map((o) => [
      `${r.campaignId} · ${o.occurrenceId}`,
      day(o.startedAt),
      f.n(o.planned),
      f.n(o.sent),
      f.n(o.heldOut),
      f.n(o.delivered),
      f.n(o.bounced),
      f.n(o.complained),
      f.n(o.opened),
      f.n(o.clicked),
      f.n(o.unsubscribed),
      f.n(o.converted),
      f.money(o.revenueMinor),
    ]),
  );

  const d = report.deliverability;
  const status = (over: boolean, rate: number | null) =>
    rate === null ? c.none : over ? html`<span class="over">${t.deliverability.over}</span>` : html`<span class="ok">${t.deliverability.ok}</span>`;

  const sections: { id: string; title: string; body: SafeHtml }[] = [
    {
      id: 'campaigns',
      title: t.campaigns.title,
      body: html`<p class="intro">${t.campaigns.intro(report.conversionWindowDays)}</p>
        ${pair(t.campaigns.funnelChart, charts.campaignFunnelChart(t.campaigns.funnelChart, report.campaigns), table(t.campaigns.title, [c.campaign, c.occurrences, c.planned, c.sent, c.heldOut, c.delivered, c.bounced, c.complained, c.opened, c.clicked, c.unsubscribed, c.converted, c.revenue], campaignRows), 'stacked')}
        ${pair(t.campaigns.liftChart, charts.liftChart(t.campaigns.liftChart, report.campaigns), table(`${c.sent} / ${c.heldOut}`, [c.campaign, c.recipients, c.conversionRate, c.revenuePerRecipient, c.conversionLift, c.revenueLift], holdoutRows), 'stacked')}
        <h3>${t.campaigns.occurrences}</h3>
        ${table(t.campaigns.occurrences, [c.occurrence, c.started, c.planned, c.sent, c.heldOut, c.delivered, c.bounced, c.complained, c.opened, c.clicked, c.unsubscribed, c.converted, c.revenue], occurrenceRows)}`,
    },
    {
      id: 'incentives',
      title: t.incentives.title,
      body: html`<p class="intro">${t.incentives.intro}</p>${pair(
        t.incentives.chart,
        charts.incentiveChart(t.incentives.chart, report.incentives),
        table(
          t.incentives.title,
          [c.incentiveType, c.orders, c.formOpened, c.submitted, c.confirmed, c.issued, c.redeemed],
          report.incentives.map((r) => [r.incentiveType, f.n(r.orders), f.n(r.formOpened), f.n(r.submitted), f.n(r.confirmed), f.n(r.issued), f.n(r.redeemed)]),
        ),
      )}`,
    },
    {
      id: 'acquisition',
      title: t.acquisition.title,
      body: html`<p class="intro">${t.acquisition.intro}</p>${pair(
        t.acquisition.chart,
        charts.acquisitionChart(t.acquisition.chart, report.acquisition),
        table(
          t.acquisition.title,
          [c.heardFrom, c.customers, c.value12m, c.repeatRate],
          report.acquisition.map((r) => [r.heardFrom, f.n(r.customers), f.money(Math.round(r.averageValue12mMinor)), f.pct(r.repeatRate)]),
        ),
      )}`,
    },
    {
      id: 'satisfaction',
      title: t.satisfaction.title,
      body: html`<p class="intro">${t.satisfaction.intro}</p>
        ${pair(t.satisfaction.distributionChart, charts.satisfactionDistributionChart(t.satisfaction.distributionChart, report.satisfaction), table(t.satisfaction.distributionChart, [c.score, c.answers], report.satisfaction.responses === 0 ? [] : report.satisfaction.distribution.map((r) => [r.score, f.n(r.count)])))}
        ${pair(
          t.satisfaction.trendChart,
          charts.satisfactionTrendChart(t.satisfaction.trendChart, report.satisfaction),
          table(
            t.satisfaction.trendChart,
            [c.month, c.responses, c.average, c.satisfiedShare],
            report.satisfaction.months.map((m) => [m.month, f.n(m.responses), m.average.toFixed(2), f.pct(m.satisfiedShare)]),
          ),
        )}`,
    },
    {
      id: 'cohorts',
      title: t.cohorts.title,
      body: html`<p class="intro">${t.cohorts.intro}</p>${pair(
        t.cohorts.chart,
        charts.cohortChart(t.cohorts.chart, report.cohorts),
        table(
          t.cohorts.title,
          [c.cohort, c.customers, c.repeated, c.repeatRate, c.repeatedWithin90Days],
          report.cohorts.map((r) => [r.cohort, f.n(r.customers), f.n(r.repeated), f.pct(r.repeatRate), f.n(r.repeatedWithin90Days)]),
        ),
      )}`,
    },
    {
      id: 'segments',
      title: t.segments.title,
      body: html`<p class="intro">${t.segments.intro}</p>${pair(
        t.segments.chart,
        charts.segmentChart(t.segments.chart, report.segments),
        table(
          t.segments.title,
          [c.segment, c.members],
          report.segments.latest.map((r) => [r.segment, f.n(r.members)]),
        ),
      )}`,
    },
    {
      id: 'deliverability',
      title: t.deliverability.title,
      body: html`<p class="intro">${t.deliverability.intro}</p>
        ${table(
          t.deliverability.title,
          [c.measure, c.value, c.limit, c.status],
          d.totals.sent === 0
            ? []
            : [
                [c.sent, f.n(d.totals.sent), c.none, c.none],
                [c.deliveryRate, f.pct(d.deliveryRate), c.none, c.none],
                [c.bounceRate, f.pct(d.bounceRate, 2), f.pct(d.thresholds.bounceRate, 1), status(d.bounceOverThreshold, d.bounceRate)],
                [c.complaintRate, f.pct(d.complaintRate, 3), f.pct(d.thresholds.complaintRate, 1), status(d.complaintOverThreshold, d.complaintRate)],
              ],
        )}
        ${pair(
          t.deliverability.bounceChart,
          charts.deliverabilityChart(t.deliverability.bounceChart, d, 'bounceRate'),
          table(
            t.deliverability.bounceChart,
            [c.day, c.sent, c.bounceRate],
            d.days.map((r) => [r.day, f.n(r.sent), f.pct(r.bounceRate, 2)]),
          ),
        )}
        ${pair(
          t.deliverability.complaintChart,
          charts.deliverabilityChart(t.deliverability.complaintChart, d, 'complaintRate'),
          table(
            t.deliverability.complaintChart,
            [c.day, c.sent, c.complaintRate],
            d.days.map((r) => [r.day, f.n(r.sent), f.pct(r.complaintRate, 3)]),
          ),
        )}`,
    },
  ];

  const page = html`<!doctype html>
<html lang="${s.lang}" dir="${s.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${s.title}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<header>
<h1>${s.title}</h1>
<p>${s.period(report.period.from === null ? null : day(report.period.from), day(report.period.to))} · ${s.generated(report.generatedAt.replace('T', ' ').slice(0, 16))} UTC</p>
<nav aria-label="${s.contents}"><ol>${sections.map((section) => html`<li><a href="#${section.id}">${section.title}</a></li>`)}</ol></nav>
</header>
<main>
${sections.map((section) => html`<section id="${section.id}" aria-labelledby="${section.id}-title"><h2 id="${section.id}-title">${section.title}</h2>${section.body}</section>\n`)}
</main>
</body>
</html>
`;
  return page.value;
}
