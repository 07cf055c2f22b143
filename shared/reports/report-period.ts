/** The report's period from `--from` / `--to` (CLI) or `?from=` / `?to=` (route): whole UTC days, both inclusive. */
import type { ReportRange } from '#shared/reports/report-data.ts';

export class ReportPeriodError extends Error {
  override readonly name = 'ReportPeriodError';
  constructor(
    readonly field: 'from' | 'to',
    message: string,
  ) {
    super(message);
  }
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayStart(field: 'from' | 'to', text: string): number {
  const match = DAY.exec(text);
  const ms = Date.parse(`${text}T00:00:00.000Z`);
  // Date.parse rolls 2026-02-30 over to March: compare the round trip to refuse days that do not exist.
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text)
    throw new ReportPeriodError(field, `${field} must be a day as YYYY-MM-DD, e.g. 2026-01-31; got "${text}"`);
  return ms;
}

export function reportPeriod(from: string | undefined, to: string | undefined, now: Date): ReportRange {
  const start = from === undefined ? undefined : dayStart('from', from);
  const end = to === undefined ? now.getTime() : dayStart('to', to) + 86_399_999;
  if (start !== undefined && start > end) throw new ReportPeriodError('from', `from (${from}) is after to (${to ?? now.toISOString().slice(0, 10)})`);
  return { from: start, to: end };
}
