/**
 * Reads what the report needs in one parallel Scan: `segments` workers, each item projected to the attributes
 * the report uses and folded into the accumulator as its page arrives (nothing else of the table is kept).
 */
import { createReportAccumulator, REPORT_ATTRIBUTES, type AccumulatorOptions } from '#shared/reports/report-accumulator.ts';
import type { ReportData } from '#shared/reports/report-data.ts';
import { forEachScanPage } from '#shared/table/parallel-scan.ts';
import type { Table } from '#shared/table/table-client.ts';

export interface ScanProgress {
  items: number;
  pages: number;
  segmentsDone: number;
  segments: number;
}

export interface LoadOptions extends AccumulatorOptions {
  /** Parallel scan segments (8–16 suits DynamoDB Local and small tables; more for big tables in AWS). */
  segments?: number;
  onProgress?: (progress: ScanProgress) => void;
}

export const DEFAULT_SCAN_SEGMENTS = 12;

/** ProjectionExpression and names for the report's attributes (names like `status` and `ans#heardFrom` need placeholders). */
export function reportProjection(): { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } {
  const names: Record<string, string> = {};
  const expression = REPORT_ATTRIBUTES.map((attribute, i) => {
    names[`#a${i}`] = attribute;
    return `#a${i}`;
  }).join(', ');
  return { ProjectionExpression: expression, ExpressionAttributeNames: names };
}

export async function loadReportData(table: Table, options: LoadOptions = {}): Promise<{ data: ReportData; items: number }> {
  const segments = options.segments ?? DEFAULT_SCAN_SEGMENTS;
  const accumulator = createReportAccumulator(options);
  const projection = reportProjection();
  const progress: ScanProgress = { items: 0, pages: 0, segmentsDone: 0, segments };
  await forEachScanPage(table, segments, projection, (page) => {
    for (const item of page.Items ?? []) accumulator.add(item);
    progress.items += page.Items?.length ?? 0;
    progress.pages++;
    if (page.LastEvaluatedKey === undefined) progress.segmentsDone++;
    options.onProgress?.(progress);
  });
  return { data: accumulator.finish(), items: accumulator.seen };
}
