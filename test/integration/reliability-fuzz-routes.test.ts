import { expect, inject, it } from 'vitest';
import { httpRoutes } from '#shared/topology.ts';
import { run } from '#bench/reliability/fuzz-routes.ts';

it('answers 2,000 fuzzed requests across every route without a 5xx or a stack trace', async () => {
  const report = await run('ci', { dynamoDbEndpoint: inject('dynamodbEndpoint') });
  expect(report.violations).toEqual([]);
  expect(report.result).toMatchObject({ requests: 2_000, serverErrors: 0, leaks: 0, unanswered: 0 });
  expect(report.result.routes).toEqual(httpRoutes().map(({ route }) => `${route.method} ${route.path}`));
}, 120_000);
