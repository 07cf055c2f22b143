/** The whole report as plain data (what `--json` prints and GET /api/reports/campaigns returns), from ReportData. */
import { acquisition, type AcquisitionRow } from '#shared/reports/acquisition.ts';
import { campaignResults, type CampaignResult } from '#shared/reports/campaign-results.ts';
import { deliverability, type DeliverabilityResult } from '#shared/reports/deliverability.ts';
import { incentiveFunnel, type FunnelRow } from '#shared/reports/incentive-funnel.ts';
import { repeatCohorts, type CohortRow } from '#shared/reports/repeat-cohorts.ts';
import type { ReportData, ReportRange } from '#shared/reports/report-data.ts';
import { satisfaction, type SatisfactionResult } from '#shared/reports/satisfaction.ts';
import { segmentSizes, type SegmentSizesResult } from '#shared/reports/segment-sizes.ts';

export interface ReportOptions {
  range: ReportRange;
  /** The attribution click window (config/campaigns.yaml attribution.clickWindowDays): sent vs held out converts within it. */
  conversionWindowDays: number;
  currency: string;
  generatedAt: Date;
}

export interface Report {
  generatedAt: string;
  period: { from: string | null; to: string };
  currency: string;
  conversionWindowDays: number;
  campaigns: CampaignResult[];
  incentives: FunnelRow[];
  acquisition: AcquisitionRow[];
  satisfaction: SatisfactionResult;
  cohorts: CohortRow[];
  segments: SegmentSizesResult;
  deliverability: DeliverabilityResult;
}

export function buildReport(data: ReportData, options: ReportOptions): Report {
  const { range } = options;
  return {
    generatedAt: options.generatedAt.toISOString(),
    period: { from: range.from === undefined ? null : new Date(range.from).toISOString(), to: new Date(range.to).toISOString() },
    currency: options.currency,
    conversionWindowDays: options.conversionWindowDays,
    campaigns: campaignResults(data, range, options.conversionWindowDays),
    incentives: incentiveFunnel(data, range),
    acquisition: acquisition(data, range),
    satisfaction: satisfaction(data, range),
    cohorts: repeatCohorts(data, range),
    segments: segmentSizes(data, range),
    deliverability: deliverability(data, range),
  };
}
