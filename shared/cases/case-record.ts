import * as z from 'zod';

export const CASE_STATUSES = ['open', 'assigned', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const ESCALATION_KINDS = ['unassigned', 'unresolved'] as const;

/** A follow-up case: who owns it, what went wrong, how it was handled, whether it was resolved. */
export const CaseRecordSchema = z.object({
  caseId: z.string(),
  customerId: z.string(),
  status: z.enum(CASE_STATUSES),
  source: z.enum(['form', 'interaction']),
  /** The order whose form, or the interaction whose contact, opened the case. */
  sourceRef: z.string(),
  reason: z.string(),
  satisfied: z.number().int().min(1).max(5),
  openedAt: z.string(),
  owner: z.string().optional(),
  assignedAt: z.string().optional(),
  whatWentWrong: z.string().optional(),
  howHandled: z.string().optional(),
  resolved: z.boolean().optional(),
  needsPolicyChange: z.boolean().default(false),
  policyNote: z.string().optional(),
  closedAt: z.string().optional(),
  escalations: z.array(z.enum(ESCALATION_KINDS)).default([]),
  /** The case was added to the profile's `openCases` when it opened (so closing it takes it off); absent on older cases. */
  profileCounted: z.boolean().optional(),
});
export type CaseRecord = z.output<typeof CaseRecordSchema>;

/** The case-list entry (CASES#<status>): enough for the list, the filters and the per-reason times without reading each case. */
export const CaseListEntrySchema = CaseRecordSchema.pick({
  caseId: true,
  customerId: true,
  status: true,
  reason: true,
  openedAt: true,
  owner: true,
  closedAt: true,
  resolved: true,
  needsPolicyChange: true,
  escalations: true,
});
export type CaseListEntry = z.output<typeof CaseListEntrySchema>;

export function listEntryOf(record: CaseRecord): CaseListEntry {
  return CaseListEntrySchema.parse(record);
}

export function hoursBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 3_600_000);
}
