/** Loads the table's items (one parallel Scan) and computes the report: what the CLI and the route both call. */
import { buildReport, type Report } from '#shared/reports/build-report.ts';
import { loadReportData, type ScanProgress } from '#shared/reports/load-report-data.ts';
import type { ReportRange } from '#shared/reports/report-data.ts';
import type { ReportSettings } from '#shared/reports/report-settings.ts';
import type { Table } from '#shared/table/table-client.ts';

export interface CreateReportOptions {
  range: ReportRange;
  now: Date;
  segments?: number;
  onProgress?: (progress: ScanProgress) => void;
}

export async function createReport(table: Table, settings: ReportSettings, options: CreateReportOptions): Promise<{ report: Report; items: number }> {
  const { data, items } = await loadReportData(table, {
    incentiveTypeOf: settings.incentiveTypeOf,
    ...(options.segments === undefined ? {} : { segments: options.segments }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const report = buildReport(data, {
    range: options.range,
    conversionWindowDays: settings.conversionWindowDays,
    currency: settings.currency,
    generatedAt: options.now,
  });
  return { report, items };
}
