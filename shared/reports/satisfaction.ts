/** Satisfaction: how the form's 1–5 answers are distributed, and the monthly trend (responses, average, share 4–5). */
import { inRange, type ReportData, type ReportRange } from '#shared/reports/report-data.ts';

export interface SatisfactionMonth {
  /** YYYY-MM (UTC). */
  month: string;
  responses: number;
  average: number;
  /** Share answering 4 or 5. */
  satisfiedShare: number;
}

export interface SatisfactionResult {
  responses: number;
  /** Answers per score 1..5. */
  distribution: { score: number; count: number }[];
  average: number | null;
  months: SatisfactionMonth[];
}

export function satisfaction(data: ReportData, range: ReportRange): SatisfactionResult {
  const counts = [0, 0, 0, 0, 0];
  const months = new Map<string, { n: number; sum: number; satisfied: number }>();
  let responses = 0;
  let sum = 0;
  for (const s of data.submissions) {
    const score = s.satisfaction;
    const at = Date.parse(s.submittedAt);
    if (score === undefined || !Number.isInteger(score) || score < 1 || score > 5 || !inRange(range, at)) continue;
    counts[score - 1] = (counts[score - 1] ?? 0) + 1;
    responses++;
    sum += score;
    const month = new Date(at).toISOString().slice(0, 7);
    const m = months.get(month) ?? { n: 0, sum: 0, satisfied: 0 };
    m.n++;
    m.sum += score;
    if (score >= 4) m.satisfied++;
    months.set(month, m);
  }
  return {
    responses,
    distribution: counts.map((count, i) => ({ score: i + 1, count })),
    average: responses > 0 ? sum / responses : null,
    months: [...months.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([month, m]) => ({ month, responses: m.n, average: m.sum / m.n, satisfiedShare: m.satisfied / m.n })),
  };
}
