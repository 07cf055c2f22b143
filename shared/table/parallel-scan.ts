import { paginateScan, type ScanCommandInput, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Table } from '#shared/table/table-client.ts';

/** What a parallel Scan may add to the table, segment and paging it sets itself. */
export type ScanOptions = Omit<ScanCommandInput, 'TableName' | 'Segment' | 'TotalSegments' | 'ExclusiveStartKey'>;

/**
 * A parallel Scan of the whole table: `segments` workers, each paging through its segment and handing every page
 * to `onPage` in order (a page's `LastEvaluatedKey` is undefined on its segment's last page).
 */
export async function forEachScanPage(
  table: Table,
  segments: number,
  options: ScanOptions,
  onPage: (page: ScanCommandOutput, segment: number) => void | Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      for await (const page of paginateScan({ client: table.doc }, { ...options, TableName: table.name, Segment: segment, TotalSegments: segments }))
        await onPage(page, segment);
    }),
  );
}
