import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#shared/table/keys.ts';
import { runCli } from '#test/support/run-cli.ts';
import { createTestTable } from '#test/support/test-table.ts';
import type { Table } from '#shared/table/table-client.ts';

let table: Table & { endpoint: string };

function kinship(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCli(['incentives', ...args, '--endpoint', table.endpoint, '--table', table.name], {});
}

beforeAll(async () => {
  table = await createTestTable('incentives-cli');
});

describe('npx kinship incentives load-pool', () => {
  it('loads each usable code once, names unusable lines, and skips codes already there on a re-run', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kinship-pool-')), 'codes.txt');
    writeFileSync(file, '# spring campaign\nSPRING-0001\nspring-0002\n\nSPRING-0001\nno good!\n');

    const first = await kinship('load-pool', 'spring-2026', file);
    expect(first.code).toBe(0);
    expect(first.out).toContain('2 codes loaded, 0 already there, 1 duplicate lines, 1 unusable lines');
    expect(first.err).toContain(`${file}:6: not a usable code: "no good!"`);
    const free = await table.doc.send(
      new QueryCommand({ TableName: table.name, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.poolPartition('spring-2026') } }),
    );
    expect((free.Items ?? []).map((i) => i.SK).sort()).toEqual(['FREE#SPRING-0001', 'FREE#SPRING-0002']);

    const again = await kinship('load-pool', 'spring-2026', file);
    expect(again.out).toContain('0 codes loaded, 2 already there');
  });

  it('refuses a bad pool name or a missing file with a usage error', async () => {
    expect((await kinship('load-pool', 'Spring 2026', 'x.txt')).code).toBe(2);
    expect((await kinship('load-pool', 'spring-2026')).code).toBe(2);
    expect((await kinship('load-pool', 'spring-2026', '/nonexistent/codes.txt')).code).toBe(1);
  });
});
