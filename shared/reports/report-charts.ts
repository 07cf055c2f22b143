/**
 * The report's charts: Observable Plot rendered to SVG markup in Node against a linkedom document, so the page
 * needs no script and no external asset. Each function returns the markup of one chart, or undefined when
 * there is nothing to draw (the page then says so next to the empty table).
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { CampaignResult } from '#shared/reports/campaign-results.ts';
import type { DeliverabilityResult } from '#shared/reports/deliverability.ts';
import type { FunnelRow } from '#shared/reports/incentive-funnel.ts';
import type { AcquisitionRow } from '#shared/reports/acquisition.ts';
import type { CohortRow } from '#shared/reports/repeat-cohorts.ts';
import type { SatisfactionResult } from '#shared/reports/satisfaction.ts';
import type { SegmentSizesResult } from '#shared/reports/segment-sizes.ts';
import { reportStrings } from '#shared/reports/report-strings.ts';

const { document } = parseHTML('<!doctype html><html><body></body></html>');
const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const { columns: c } = reportStrings;

/** Serializes a Plot chart; every <svg> gets its namespace so the markup also stands alone (e.g. saved as .svg). */
function markup(chart: { outerHTML: string }): string {
  return chart.outerHTML.replace(/<svg(?![^>]*\bxmlns=)/g, `<svg xmlns="${SVG_NS}"`);
}

type PlotOptions = Parameters<typeof Plot.plot>[0];

function render(label: string, options: PlotOptions): string {
  return markup(Plot.plot({ document, width: WIDTH, ariaLabel: label, style: { fontSize: '12px', background: 'transparent' }, ...options }));
}

const DAY_MS = 24 * 60 * 60 * 1000;

const percent = (digits: number) => (value: number) => `${(value * 100).toFixed(digits)}%`;

export function campaignFunnelChart(title: string, campaigns: readonly CampaignResult[]): string | undefined {
  const stages = [
    [c.sent, 'sent'],
    [c.delivered, 'delivered'],
    [c.opened, 'opened'],
    [c.clicked, 'clicked'],
    [c.converted, 'converted'],
  ] as const;
  const rows = campaigns.flatMap((campaign) => stages.map(([label, key]) => ({ campaign: campaign.campaignId, stage: label, count: campaign[key] })));
  if (rows.every((r) => r.count === 0)) return undefined;
  return render(title, {
    height: 40 + campaigns.length * 110,
    marginLeft: 90,
    marginRight: 130,
    x: { label: `${c.count} →`, grid: true },
    y: { label: null, domain: stages.map(([label]) => label) },
    fy: { label: null, axis: 'right' },
    color: { domain: stages.map(([label]) => label) },
    marks: [
      Plot.barX(rows, { x: 'count', y: 'stage', fy: 'campaign', fill: 'stage' }),
      Plot.text(rows, { x: 'count', y: 'stage', fy: 'campaign', text: (d: { count: number }) => String(d.count), dx: 4, textAnchor: 'start' }),
      Plot.ruleX([0]),
    ],
  });
}

export function liftChart(title: string, campaigns: readonly CampaignResult[]): string | undefined {
  const rows = campaigns.flatMap((campaign) => {
    const lift = campaign.holdout.conversionLift;
    return lift ? [{ campaign: campaign.campaignId, difference: lift.difference, low: lift.low, high: lift.high }] : [];
  });
  if (rows.length === 0) return undefined;
  return render(title, {
    height: 50 + rows.length * 40,
    marginLeft: 130,
    x: { label: `${c.conversionLift} →`, tickFormat: percent(1), grid: true },
    y: { label: null },
    marks: [
      Plot.ruleX([0], { stroke: '#888' }),
      Plot.ruleY(rows, { y: 'campaign', x1: 'low', x2: 'high', strokeWidth: 3, stroke: '#4269d0' }),
      Plot.dot(rows, { y: 'campaign', x: 'difference', r: 5, fill: '#4269d0' }),
    ],
  });
}

export function incentiveChart(title: string, funnel: readonly FunnelRow[]): string | undefined {
  const stages = [
    [c.orders, 'orders'],
    [c.submitted, 'submitted'],
    [c.confirmed, 'confirmed'],
    [c.issued, 'issued'],
    [c.redeemed, 'redeemed'],
  ] as const;
  const rows = funnel.flatMap((row) => stages.map(([label, key]) => ({ type: row.incentiveType, stage: label, count: row[key] })));
  if (rows.length === 0) return undefined;
  return render(title, {
    height: 300,
    marginBottom: 60,
    x: { label: null, domain: stages.map(([label]) => label), tickRotate: -30 },
    y: { label: `↑ ${c.orders}`, grid: true },
    fx: { label: c.incentiveType },
    color: { domain: stages.map(([label]) => label) },
    marks: [Plot.barY(rows, { fx: 'type', x: 'stage', y: 'count', fill: 'stage' }), Plot.ruleY([0])],
  });
}

export function acquisitionChart(title: string, rows: readonly AcquisitionRow[]): string | undefined {
  if (rows.length === 0) return undefined;
  return render(title, {
    height: 50 + rows.length * 30,
    marginLeft: 110,
    x: { label: `${c.customers} →`, grid: true },
    y: { label: null, domain: rows.map((r) => r.heardFrom) },
    marks: [Plot.barX(rows, { x: 'customers', y: 'heardFrom', fill: '#4269d0' }), Plot.ruleX([0])],
  });
}

export function satisfactionDistributionChart(title: string, result: SatisfactionResult): string | undefined {
  if (result.responses === 0) return undefined;
  return render(title, {
    height: 260,
    x: { label: `${c.score} (1–5)`, domain: [1, 2, 3, 4, 5] },
    y: { label: `↑ ${c.answers}`, grid: true },
    marks: [Plot.barY(result.distribution, { x: 'score', y: 'count', fill: '#efb118' }), Plot.ruleY([0])],
  });
}

export function satisfactionTrendChart(title: string, result: SatisfactionResult): string | undefined {
  if (result.months.length === 0) return undefined;
  const rows = result.months.map((m) => ({ month: new Date(`${m.month}-01T00:00:00Z`), average: m.average }));
  return render(title, {
    height: 260,
    x: { label: c.month, type: 'utc' },
    y: { label: `↑ ${c.average}`, domain: [1, 5], grid: true },
    marks: [Plot.lineY(rows, { x: 'month', y: 'average', stroke: '#efb118' }), Plot.dot(rows, { x: 'month', y: 'average', fill: '#efb118' })],
  });
}

export function cohortChart(title: string, rows: readonly CohortRow[]): string | undefined {
  if (rows.length === 0) return undefined;
  return render(title, {
    height: 280,
    marginBottom: 50,
    x: { label: c.cohort, type: 'band', tickRotate: -30 },
    y: { label: `↑ ${c.repeatRate}`, tickFormat: percent(0), domain: [0, 1], grid: true },
    marks: [Plot.barY(rows, { x: 'cohort', y: 'repeatRate', fill: '#3ca951' }), Plot.ruleY([0])],
  });
}

/** How many segments the chart draws (the largest at the last run); the table beside it lists every one. */
export const CHARTED_SEGMENTS = 8;

export function segmentChart(title: string, result: SegmentSizesResult): string | undefined {
  if (result.points.length === 0) return undefined;
  const charted = new Set(result.latest.slice(0, CHARTED_SEGMENTS).map((s) => s.segment));
  const rows = result.points.filter((p) => charted.has(p.segment)).map((p) => ({ at: new Date(p.asOf), segment: p.segment, members: p.members }));
  const times = rows.map((r) => r.at.getTime());
  const first = Math.min(...times);
  const last = Math.max(...times);
  return render(title, {
    height: 320,
    // After a single run every point is one instant: Plot would label that zero-width domain with a raw ISO timestamp,
    // so the axis then spans the day either side of it and reads as dates.
    x: { label: c.runAt, type: 'utc', ...(first === last ? { domain: [new Date(first - DAY_MS), new Date(last + DAY_MS)] } : {}) },
    y: { label: `↑ ${c.members}`, grid: true },
    color: { legend: true, domain: [...charted] },
    marks: [
      // One series per segment, said explicitly: after a single run each has one point, and Plot would warn (on the console) that the implied series look quantitative.
      Plot.lineY(rows, { x: 'at', y: 'members', stroke: 'segment', z: 'segment' }),
      Plot.dot(rows, { x: 'at', y: 'members', fill: 'segment', r: 2.5 }),
      Plot.ruleY([0]),
    ],
  });
}

export function deliverabilityChart(title: string, result: DeliverabilityResult, measure: 'bounceRate' | 'complaintRate'): string | undefined {
  const rows = result.days.flatMap((d) => {
    const value = d[measure];
    return value === null ? [] : [{ day: new Date(`${d.day}T00:00:00Z`), value }];
  });
  if (rows.length === 0) return undefined;
  const limit = result.thresholds[measure];
  const top = Math.max(limit * 1.5, ...rows.map((r) => r.value));
  return render(title, {
    height: 240,
    x: { label: c.day, type: 'utc' },
    y: {
      label: `↑ ${measure === 'bounceRate' ? c.bounceRate : c.complaintRate}`,
      tickFormat: percent(measure === 'bounceRate' ? 1 : 2),
      domain: [0, top],
      grid: true,
    },
    marks: [
      Plot.ruleY([limit], { stroke: '#d62728', strokeDasharray: '4,3' }),
      Plot.text([limit], { y: (d: number) => d, frameAnchor: 'right', text: () => `${c.limit} ${percent(1)(limit)}`, dy: -6, fill: '#d62728' }),
      Plot.lineY(rows, { x: 'day', y: 'value', stroke: '#4269d0' }),
      Plot.dot(rows, { x: 'day', y: 'value', fill: '#4269d0', r: 2.5 }),
    ],
  });
}
