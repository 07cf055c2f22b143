import { expect, it } from 'vitest';
import { topology } from '#shared/topology.ts';
import { run } from '#bench/reliability/alarm-actions.ts';

it('finds every alarm of the synthesized stack notifying a topic with a staff email subscription, and every function watched', async () => {
  const report = await run('ci');
  expect(report.violations).toEqual([]);
  expect(report.result).toMatchObject({ unheard: [], unwatchedFunctions: [], functions: topology.functions.length, warnsWithoutSubscriber: true });
});
