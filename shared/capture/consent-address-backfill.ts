/**
 * One-off upgrade for tables written before marketing consent was tied to the address it was given for
 * (`marketingConsentAddress`, which the sender requires): such a profile has consent but no consent address, so no
 * campaign reaches it. Its consent was granted when `confirmedEmail` was confirmed, so that is the address it belongs
 * to. Re-runnable: each update is conditioned on the profile being unchanged since the scan.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { writeIfConditionHolds } from '#shared/table/conditional-write.ts';
import { consentAddressOf } from '#shared/capture/consent.ts';
import { forEachScanPage, type ScanOptions } from '#shared/table/parallel-scan.ts';
import type { Table } from '#shared/table/table-client.ts';

export interface BackfillResult {
  /** Profiles that had consent without a consent address. */
  found: number;
  /** Of those, given the address they consented with. */
  updated: number;
}

export async function backfillConsentAddresses(
  table: Table,
  options: { segments?: number; onProgress?: (found: number) => void } = {},
): Promise<BackfillResult> {
  const segments = options.segments ?? 4;
  const result: BackfillResult = { found: 0, updated: 0 };
  const filter: ScanOptions = {
    FilterExpression: 'SK = :profile AND marketingConsent = :granted AND attribute_not_exists(marketingConsentAddress) AND attribute_exists(confirmedEmail)',
    ProjectionExpression: 'PK, SK, confirmedEmail',
    ExpressionAttributeValues: { ':profile': 'PROFILE', ':granted': 'granted' },
  };
  await forEachScanPage(table, segments, filter, async (page) => {
    for (const item of page.Items ?? []) {
      if (typeof item.confirmedEmail !== 'string') continue;
      result.found++;
      if (await setConsentAddress(table, { PK: item.PK, SK: item.SK }, item.confirmedEmail)) result.updated++;
    }
    options.onProgress?.(result.found);
  });
  return result;
}

async function setConsentAddress(table: Table, key: Record<string, unknown>, confirmedEmail: string): Promise<boolean> {
  return writeIfConditionHolds(() =>
    table.doc.send(
      new UpdateCommand({
        TableName: table.name,
        Key: key,
        UpdateExpression: 'SET marketingConsentAddress = :address',
        // Unchanged since the scan: still granted, still no address, still the same confirmed address.
        ConditionExpression: 'marketingConsent = :granted AND attribute_not_exists(marketingConsentAddress) AND confirmedEmail = :email',
        ExpressionAttributeValues: { ':address': consentAddressOf(confirmedEmail), ':granted': 'granted', ':email': confirmedEmail },
      }),
    ),
  );
}
