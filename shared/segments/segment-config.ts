/**
 * config/segments.yaml — when the segmenter runs, the parameters of every built-in segment, the RFM
 * score-to-name map and the marketer's own segments. One zod schema validates the file at cold start and
 * generates config/schemas/segments.schema.json for editors (`npx kinship segments schema`).
 */
import * as z from 'zod';
import { loadYamlConfig } from '#shared/config/load-yaml.ts';
import { buildGroupLookup, DEFAULT_RF_GROUPS, type RfmGroupSpec, type ScoreMapKind } from '#shared/segments/rfm-map.ts';
import { PredicateSchema, predicateTypeIssues } from '#shared/segments/predicate.ts';
import { DEFAULT_SEGMENTER_SCHEDULE, SegmenterScheduleSchema } from '#shared/segments/segment-schedule.ts';

const SegmentId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'segment ids are lower-case letters, digits and dashes, e.g. big-spenders-is');

const GroupSpec = z.strictObject({
  id: SegmentId.describe('kebab-case; the segment id is rfm-<id>'),
  name: z.string().min(1).max(60),
  match: z.array(z.string().min(2).max(40)).min(1).describe('codes with classes, e.g. "5[4-5]" (RF) or "[45][45][345]" (RFM)'),
});

const ScoreMap = z
  .strictObject({
    kind: z.enum(['rf', 'rfm']).default('rf').describe('rf: patterns over RecencyScore+FrequencyScore; rfm: over the three-digit code'),
    groups: z.array(GroupSpec).min(1).optional().describe('omit for the common RF map (kind rf only)'),
  })
  .superRefine((map, ctx) => {
    if (map.groups === undefined) {
      if (map.kind === 'rfm') ctx.addIssue({ code: 'custom', path: ['groups'], message: 'an rfm map needs its groups: paste your three-digit code table' });
      return;
    }
    const ids = new Set<string>();
    map.groups.forEach((group, i) => {
      if (ids.has(group.id)) ctx.addIssue({ code: 'custom', path: ['groups', i, 'id'], message: `group id "${group.id}" is used twice` });
      ids.add(group.id);
    });
    const lookup = buildGroupLookup(map.groups, map.kind);
    if (!lookup.ok) for (const message of lookup.errors) ctx.addIssue({ code: 'custom', path: ['groups'], message });
  });

const Percent = z.number().min(0).max(100);

const CustomSegment = z
  .strictObject({
    id: SegmentId,
    name: z.string().min(1).max(80),
    description: z.string().max(300).optional(),
    where: PredicateSchema,
  })
  .superRefine((segment, ctx) => {
    for (const issue of predicateTypeIssues(segment.where, ['where'])) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });

export const SegmentsConfigSchema = z
  .strictObject({
    schedule: SegmenterScheduleSchema.default({ expression: DEFAULT_SEGMENTER_SCHEDULE }),
    rfm: z
      .strictObject({ scoreMap: ScoreMap.default({ kind: 'rf' }) })
      .default({ scoreMap: { kind: 'rf' } })
      .describe('quintile scores 1-5 (pandas qcut over rank(method="first"), ties by customer id) and the named groups'),
    value: z
      .strictObject({
        windowMonths: z.number().int().min(1).max(36).default(12).describe('calendar months summed for the value ranking, this month included'),
        goldTopPercent: Percent.default(10),
        silverNextPercent: Percent.default(10),
      })
      .default({ windowMonths: 12, goldTopPercent: 10, silverNextPercent: 10 })
      .refine((v) => v.goldTopPercent + v.silverNextPercent <= 100, { message: 'goldTopPercent + silverNextPercent must not exceed 100' }),
    frequent: z.strictObject({ minOrders: z.number().int().min(2).default(5) }).default({ minOrders: 5 }),
    loyal: z
      .strictObject({
        minTenureMonths: z.number().int().min(1).default(12),
        minOrders: z.number().int().min(2).default(2),
        recentWithinDays: z
          .number()
          .int()
          .min(1)
          .default(90)
          .describe('the last purchase at most this many days before the run: a lapsed customer is not loyal'),
      })
      .default({ minTenureMonths: 12, minOrders: 2, recentWithinDays: 90 }),
    new: z.strictObject({ withinDays: z.number().int().min(1).default(30) }).default({ withinDays: 30 }),
    lapsed: z.strictObject({ afterDays: z.number().int().min(1).default(90) }).default({ afterDays: 90 }),
    unsatisfied: z.strictObject({ maxScore: z.number().int().min(1).max(4).default(2) }).default({ maxScore: 2 }),
    referrers: z.strictObject({ minReferrals: z.number().int().min(1).default(1) }).default({ minReferrals: 1 }),
    longTenure: z.strictObject({ minMonths: z.number().int().min(1).default(24) }).default({ minMonths: 24 }),
    custom: z.array(CustomSegment).max(200).default([]),
    run: z
      .strictObject({
        scanSegments: z.number().int().min(1).max(256).default(8).describe('parallel Scan segments over the table'),
        writeConcurrency: z.number().int().min(1).max(64).default(8).describe('BatchWriteItem calls in flight'),
      })
      .default({ scanSegments: 8, writeConcurrency: 8 }),
  })
  .superRefine((config, ctx) => {
    if (config.loyal.recentWithinDays > config.lapsed.afterDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['loyal', 'recentWithinDays'],
        message: `loyal.recentWithinDays (${config.loyal.recentWithinDays}) must not exceed lapsed.afterDays (${config.lapsed.afterDays}), or a lapsed customer could still be loyal`,
      });
    }
    const taken = new Set<string>(BUILT_IN_SEGMENTS.map((s) => s.id));
    config.custom.forEach((segment, i) => {
      if (taken.has(segment.id) || segment.id.startsWith('rfm-'))
        ctx.addIssue({
          code: 'custom',
          path: ['custom', i, 'id'],
          message: `"${segment.id}" is taken by a built-in segment (or the rfm- prefix); choose another id`,
        });
      taken.add(segment.id);
    });
  });

export type SegmentsConfig = z.output<typeof SegmentsConfigSchema>;

/** The built-in rule segments (gold and silver come from the value ranking; the RFM groups from the score map). */
export const BUILT_IN_SEGMENTS = [
  { id: 'one-time', name: 'One-time buyers' },
  { id: 'frequent', name: 'Frequent buyers' },
  { id: 'loyal', name: 'Loyal' },
  { id: 'new', name: 'New customers' },
  { id: 'lapsed', name: 'Lapsed' },
  { id: 'unsatisfied', name: 'Unsatisfied' },
  { id: 'referrers', name: 'Referrers' },
  { id: 'long-tenure', name: 'Long tenure' },
  { id: 'gold', name: 'Gold' },
  { id: 'silver', name: 'Silver' },
] as const;

export function scoreMapOf(config: SegmentsConfig): { kind: ScoreMapKind; groups: readonly RfmGroupSpec[] } {
  return { kind: config.rfm.scoreMap.kind, groups: config.rfm.scoreMap.groups ?? DEFAULT_RF_GROUPS };
}

/** All defaults, as if config/segments.yaml were empty. */
export function defaultSegmentsConfig(): SegmentsConfig {
  return SegmentsConfigSchema.parse({});
}

export function loadSegmentsConfig(dir?: string): SegmentsConfig {
  return loadYamlConfig('segments.yaml', SegmentsConfigSchema, dir);
}

/** JSON Schema of config/segments.yaml for editors (yaml-language-server); kept in sync by a unit test. */
export function segmentsJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(SegmentsConfigSchema, { io: 'input', unrepresentable: 'any' }), title: 'Kinship config/segments.yaml' };
}
