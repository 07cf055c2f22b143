import { expect, inject, it } from 'vitest';
import { run } from '#bench/reliability/form-storm.ts';

it('loses no answer, issues one incentive per order and answers no 5xx when 150 customers submit twice and confirm three times at once', async () => {
  const report = await run('ci', { dynamoDbEndpoint: inject('dynamodbEndpoint') });
  expect(report.violations).toEqual([]);
  expect(report.result).toMatchObject({ orders: 150, lostAnswers: 0, duplicateIncentives: 0, missingIncentives: 0, serverErrors: 0, incentiveCodes: 150 });
}, 120_000);
