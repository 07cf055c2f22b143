import { CaseEscalated } from '#shared/events/case-escalated.ts';
import { CaseOpened } from '#shared/events/case-opened.ts';
import { CaseResolved } from '#shared/events/case-resolved.ts';
import { publishEvents, type EventBus } from '#shared/events/publish-events.ts';
import { ValidationError } from '#shared/errors.ts';
import { logger } from '#shared/logger.ts';
import type { Table } from '#shared/table/table-client.ts';
import { hoursBetween, type CaseListEntry, type CaseRecord } from '#shared/cases/case-record.ts';
import {
  caseIdFor,
  insertCase,
  listCaseEntries,
  markEscalated,
  readCase,
  replaceCase,
  syncEntryEscalations,
  unmarkEscalated,
} from '#shared/cases/case-store.ts';
import type { StaffNotifier } from '#shared/cases/notify-staff.ts';

export interface CaseDeps {
  table: Table;
  bus: EventBus;
  now: () => Date;
}

export interface UnhappyAnswer {
  customerId: string;
  source: CaseRecord['source'];
  sourceRef: string;
  reason: string;
  satisfied: number;
  at: string;
}

/**
 * Opens a case for an unhappy answer when the score is at or below the threshold; once per answer (a replay or a
 * repeated form submission opens nothing new). Publishes CaseOpened for a new case.
 */
export async function openCaseIfUnhappy(deps: CaseDeps, answer: UnhappyAnswer, openAtOrBelow: number): Promise<CaseRecord | undefined> {
  if (answer.satisfied > openAtOrBelow) return undefined;
  const record: CaseRecord = {
    caseId: caseIdFor(answer.source, answer.sourceRef),
    customerId: answer.customerId,
    status: 'open',
    source: answer.source,
    sourceRef: answer.sourceRef,
    reason: answer.reason,
    satisfied: answer.satisfied,
    openedAt: answer.at,
    needsPolicyChange: false,
    escalations: [],
  };
  const inserted = await insertCase(deps.table, record);
  if (!inserted) return undefined;
  await publishEvents(
    deps.bus,
    [
      CaseOpened.create({
        caseId: record.caseId,
        customerId: record.customerId,
        source: record.source,
        sourceRef: record.sourceRef,
        reason: record.reason,
        satisfied: record.satisfied,
        openedAt: record.openedAt,
      }),
    ],
    deps.now(),
  );
  logger.info('case opened', { caseId: record.caseId, customerId: record.customerId, source: record.source });
  return inserted;
}

/** Gives a case an owner (or a new one); an open case becomes assigned. */
export async function assignCase(deps: CaseDeps, caseId: string, owner: string): Promise<CaseRecord> {
  const before = await readCase(deps.table, caseId, true);
  if (before.status === 'closed') throw new ValidationError('This case is closed', [{ field: 'owner', message: 'a closed case cannot be reassigned' }]);
  const after: CaseRecord = { ...before, status: 'assigned', owner, assignedAt: deps.now().toISOString() };
  await replaceCase(deps.table, before, after);
  logger.info('case assigned', { caseId, customerId: before.customerId });
  return after;
}

export interface CaseClosing {
  whatWentWrong: string;
  howHandled: string;
  resolved: boolean;
  needsPolicyChange: boolean;
  policyNote?: string | undefined;
  /** Who closes it; becomes the owner if the case had none. */
  closedBy: string;
}

/** Closes a case with what went wrong, how it was handled and whether it was resolved; publishes CaseResolved. */
export async function closeCase(deps: CaseDeps, caseId: string, closing: CaseClosing): Promise<CaseRecord> {
  const before = await readCase(deps.table, caseId, true);
  if (before.status === 'closed') throw new ValidationError('This case is closed already', [{ field: 'resolved', message: 'the case is closed already' }]);
  const closedAt = deps.now().toISOString();
  const after: CaseRecord = {
    ...before,
    status: 'closed',
    owner: before.owner ?? closing.closedBy,
    whatWentWrong: closing.whatWentWrong,
    howHandled: closing.howHandled,
    resolved: closing.resolved,
    needsPolicyChange: closing.needsPolicyChange,
    ...(closing.needsPolicyChange && closing.policyNote ? { policyNote: closing.policyNote } : {}),
    closedAt,
  };
  await replaceCase(deps.table, before, after);
  await publishEvents(
    deps.bus,
    [
      CaseResolved.create({
        caseId,
        customerId: after.customerId,
        reason: after.reason,
        resolved: closing.resolved,
        needsPolicyChange: closing.needsPolicyChange,
        hoursToResolve: hoursBetween(after.openedAt, closedAt),
        closedAt,
      }),
    ],
    deps.now(),
  );
  logger.info('case closed', { caseId, customerId: after.customerId, resolved: closing.resolved });
  return after;
}

export interface EscalationSettings {
  unassignedAfterHours: number;
  unresolvedAfterHours: number;
  /** Where the console's case pages are, for the link in the notice. */
  consoleBaseUrl: string;
}

/** Which escalations are due for one list entry at `now` and not sent yet. Pure. */
export function dueEscalations(
  entry: CaseListEntry,
  now: Date,
  settings: Pick<EscalationSettings, 'unassignedAfterHours' | 'unresolvedAfterHours'>,
): CaseRecord['escalations'] {
  if (entry.status === 'closed') return [];
  const age = hoursBetween(entry.openedAt, now.toISOString());
  const due: CaseRecord['escalations'] = [];
  if (entry.status === 'open' && age >= settings.unassignedAfterHours && !entry.escalations.includes('unassigned')) due.push('unassigned');
  if (age >= settings.unresolvedAfterHours && !entry.escalations.includes('unresolved')) due.push('unresolved');
  return due;
}

/**
 * The scheduled escalation run: each open case past the unassigned hours, and each unclosed case past the
 * unresolved hours, is marked once and staff are notified (SNS in AWS, the local inbox locally), then CaseEscalated
 * is published. A notice that fails is unmarked so the next run retries it.
 */
export async function escalateCases(deps: CaseDeps & { notifier: StaffNotifier }, settings: EscalationSettings): Promise<{ escalated: number }> {
  const now = deps.now();
  const oldest = new Date(now.getTime() - Math.min(settings.unassignedAfterHours, settings.unresolvedAfterHours) * 3_600_000).toISOString();
  const entries = await listCaseEntries(deps.table, ['open', 'assigned'], oldest);
  let escalated = 0;
  for (const entry of entries) {
    for (const kind of dueEscalations(entry, now, settings)) {
      const before = await readCase(deps.table, entry.caseId, true);
      if (!(await markEscalated(deps.table, entry.caseId, kind))) continue;
      const after: CaseRecord = { ...before, escalations: [...before.escalations, kind] };
      try {
        await deps.notifier.notify(escalationNotice(after, kind, now, settings.consoleBaseUrl));
      } catch (error) {
        await unmarkEscalated(deps.table, before);
        throw error;
      }
      await syncEntryEscalations(deps.table, after);
      await publishEvents(
        deps.bus,
        [CaseEscalated.create({ caseId: after.caseId, customerId: after.customerId, why: kind, openedAt: after.openedAt, escalatedAt: now.toISOString() })],
        now,
      );
      logger.info('case escalated', { caseId: after.caseId, customerId: after.customerId, why: kind });
      escalated++;
    }
  }
  return { escalated };
}

function escalationNotice(record: CaseRecord, kind: CaseRecord['escalations'][number], now: Date, consoleBaseUrl: string) {
  const hours = Math.floor(hoursBetween(record.openedAt, now.toISOString()));
  const what = kind === 'unassigned' ? `nobody has taken it for ${hours} hours` : `it is still open after ${hours} hours`;
  return {
    subject: `Kinship: case ${record.caseId} needs attention (${kind})`,
    text: [
      `Case ${record.caseId} (reason: ${record.reason}, satisfaction ${record.satisfied}/5) needs attention: ${what}.`,
      record.owner ? `Owner: ${record.owner}` : 'Owner: nobody yet',
      `Open it: ${consoleBaseUrl.replace(/\/$/, '')}/console/cases/${record.caseId}`,
    ].join('\n'),
  };
}

export interface ReasonStats {
  reason: string;
  count: number;
  open: number;
  closed: number;
  /** Median hours from opening to closing over the closed cases, when there are any. */
  medianHoursToResolve: number | undefined;
}

/** Per reason: how many cases, how many still open, and the median time to close. Pure. */
export function statsByReason(entries: readonly CaseListEntry[]): ReasonStats[] {
  const byReason = new Map<string, CaseListEntry[]>();
  for (const entry of entries) byReason.set(entry.reason, [...(byReason.get(entry.reason) ?? []), entry]);
  return [...byReason]
    .map(([reason, list]) => {
      const hours = list.flatMap((e) => (e.closedAt ? [hoursBetween(e.openedAt, e.closedAt)] : [])).sort((a, b) => a - b);
      const mid = Math.floor(hours.length / 2);
      const median = hours.length === 0 ? undefined : hours.length % 2 === 1 ? hours[mid] : ((hours[mid - 1] ?? 0) + (hours[mid] ?? 0)) / 2;
      return { reason, count: list.length, open: list.length - hours.length, closed: hours.length, medianHoursToResolve: median };
    })
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
