import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSegmentsConfig, segmentsJsonSchema, SegmentsConfigSchema } from '#shared/segments/segment-config.ts';
import { segmenterSchedule } from '#shared/segments/segment-schedule.ts';

const issuesOf = (input: unknown) => {
  const result = SegmentsConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('config/segments.yaml', () => {
  it('loads the repository config, and its JSON Schema file matches the zod schema (regenerate: npx kinship segments schema)', () => {
    const config = loadSegmentsConfig(join(process.cwd(), 'config'));
    expect(config.lapsed.afterDays).toBeGreaterThan(0);
    const onDisk: unknown = JSON.parse(readFileSync(join(process.cwd(), 'config', 'schemas', 'segments.schema.json'), 'utf8'));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(segmentsJsonSchema())));
  });

  it('defaults every parameter when the file is empty', () => {
    const config = SegmentsConfigSchema.parse({});
    expect(config).toMatchObject({
      schedule: { expression: 'rate(1 hour)' },
      value: { windowMonths: 12, goldTopPercent: 10, silverNextPercent: 10 },
      frequent: { minOrders: 5 },
      lapsed: { afterDays: 90 },
      custom: [],
    });
    expect(segmenterSchedule(join(process.cwd(), 'config'))).toEqual({ expression: 'rate(1 hour)' });
  });

  it('refuses a schedule Scheduler would refuse, naming the key', () => {
    expect(issuesOf({ schedule: { expression: 'rate(1 hours)' } })).toEqual([expect.stringMatching(/^schedule\.expression: .*singular unit/)]);
  });

  it('refuses an RF map that leaves a code without a group or names one twice', () => {
    const issues = issuesOf({
      rfm: {
        scoreMap: {
          kind: 'rf',
          groups: [
            { id: 'top', name: 'Top', match: ['5[1-5]'] },
            { id: 'rest', name: 'Rest', match: ['[1-3][1-5]', '55'] },
          ],
        },
      },
    });
    expect(issues).toEqual(
      expect.arrayContaining([expect.stringContaining('codes without a group: 41, 42, 43, 44, 45'), expect.stringContaining('code 55 is in both')]),
    );
    expect(issuesOf({ rfm: { scoreMap: { kind: 'rfm' } } })).toEqual([expect.stringContaining('rfm.scoreMap.groups: an rfm map needs its groups')]);
  });

  it('refuses unknown fields, type mismatches and ids taken by built-in segments in custom segments', () => {
    const issues = issuesOf({
      custom: [
        { id: 'a', name: 'A', where: { field: 'favouriteColour', eq: 'red' } },
        { id: 'b', name: 'B', where: { and: [{ field: 'orderCount', gte: 'many' }] } },
        { id: 'c', name: 'C', where: { field: 'orderCount', olderThanDays: 3 } },
        { id: 'gold', name: 'Gold again', where: { field: 'orderCount', gte: 1 } },
      ],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^custom\.0\.where/),
        expect.stringMatching(/^custom\.1\.where\.and\.0\.field: orderCount: is a number/),
        expect.stringMatching(/^custom\.2\.where\.field: orderCount: olderThanDays/),
        expect.stringMatching(/^custom\.3\.id: "gold" is taken/),
      ]),
    );
  });
});
