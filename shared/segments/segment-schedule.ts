import * as z from 'zod';
import { loadYamlConfig } from '#shared/config/load-yaml.ts';
import { checkScheduleExpression } from '#shared/schedule/schedule-expression.ts';

export const DEFAULT_SEGMENTER_SCHEDULE = 'rate(1 hour)';

/** When the segmenter runs: an EventBridge Scheduler expression, validated as Scheduler would. */
export const SegmenterScheduleSchema = z
  .strictObject({
    expression: z.string().default(DEFAULT_SEGMENTER_SCHEDULE).describe('rate(1 hour), rate(15 minutes), cron(0 * * * ? *) …'),
    timezone: z.string().optional().describe('IANA zone for cron expressions, e.g. Atlantic/Reykjavik (UTC when absent)'),
  })
  .superRefine((value, ctx) => {
    const checked = checkScheduleExpression(value.expression, value.timezone);
    if (!checked.ok) ctx.addIssue({ code: 'custom', path: ['expression'], message: checked.error });
  });

const ScheduleOnly = z.looseObject({ schedule: SegmenterScheduleSchema.default({ expression: DEFAULT_SEGMENTER_SCHEDULE }) });

/**
 * The segmenter's schedule from config/segments.yaml, read on its own so the topology (read by the CDK stack
 * and the local runtime) can use it without loading the whole segmentation config.
 */
export function segmenterSchedule(dir?: string): { expression: string; timezone?: string } {
  const { schedule } = loadYamlConfig('segments.yaml', ScheduleOnly, dir);
  return schedule.timezone === undefined ? { expression: schedule.expression } : { expression: schedule.expression, timezone: schedule.timezone };
}
