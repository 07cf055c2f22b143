import { expect, it } from 'vitest';
import { run } from '#bench/reliability/dynamodb-restart.ts';

it('sends each of a 300-customer newsletter exactly once although DynamoDB Local is killed and restarted mid-send', async () => {
  const report = await run('ci');
  expect(report.violations).toEqual([]);
  expect(report.result).toMatchObject({ audience: 300, duplicates: 0, missing: 0, unexpected: 0 });
  expect(report.result.emailsSent).toBe(report.result.expectedEmails);
}, 180_000);
