import { describe, expect, it } from 'vitest';
import { mayOpen } from '#shared/auth/staff-roles.ts';
import { safeReturnTo } from '#shared/auth/staff-session.ts';
import { csrfToken, csrfTokenValid, sameOrigin } from '#shared/auth/csrf.ts';
import { dueEscalations, statsByReason } from '#shared/cases/case-actions.ts';
import type { CaseListEntry } from '#shared/cases/case-record.ts';
import { interactionInputSchema } from '#shared/interactions/interaction-input.ts';

function anEntry(overrides: Partial<CaseListEntry> = {}): CaseListEntry {
  return {
    caseId: 'cs_1',
    customerId: 'c_1',
    status: 'open',
    reason: 'complaint',
    openedAt: '2026-12-01T08:00:00.000Z',
    needsPolicyChange: false,
    escalations: [],
    ...overrides,
  };
}
const HOURS = { unassignedAfterHours: 4, unresolvedAfterHours: 48 };
const at = (iso: string) => new Date(iso);

describe('staff roles', () => {
  it('lets a higher group open what a lower one may, and nobody without a group', () => {
    expect(mayOpen(['admin'], 'staff')).toBe(true);
    expect(mayOpen(['marketer'], 'admin')).toBe(false);
    expect(mayOpen(['staff'], 'marketer')).toBe(false);
    expect(mayOpen([], 'staff')).toBe(false);
    expect(mayOpen(['customers'], 'staff')).toBe(false);
  });
});

describe('where sign-in returns to', () => {
  it('keeps console paths and refuses anything that could leave the console', () => {
    expect(safeReturnTo('/console/cases?status=all')).toBe('/console/cases?status=all');
    expect(safeReturnTo('https://evil.example/console')).toBe('/console');
    expect(safeReturnTo('//evil.example/console')).toBe('/console');
    expect(safeReturnTo('/console//evil.example')).toBe('/console');
    expect(safeReturnTo('/reports')).toBe('/console');
  });
});

describe('CSRF tokens', () => {
  it('are valid for their own session only, and under their own key', () => {
    const token = csrfToken('key-1', 'session-a');
    expect(csrfTokenValid('key-1', 'session-a', token)).toBe(true);
    expect(csrfTokenValid('key-1', 'session-b', token)).toBe(false);
    expect(csrfTokenValid('key-2', 'session-a', token)).toBe(false);
    expect(csrfTokenValid('key-1', 'session-a', undefined)).toBe(false);
  });

  it('accept our own origin or none, and refuse another or a "null" origin', () => {
    expect(sameOrigin('http://localhost:3000', 'http://localhost:3000')).toBe(true);
    expect(sameOrigin(undefined, 'http://localhost:3000')).toBe(true);
    expect(sameOrigin('https://evil.example', 'http://localhost:3000')).toBe(false);
    expect(sameOrigin('null', 'http://localhost:3000')).toBe(false);
  });
});

describe('when a case escalates', () => {
  it('escalates an unassigned case once it is past the unassigned hours, not before', () => {
    expect(dueEscalations(anEntry(), at('2026-12-01T11:59:00Z'), HOURS)).toEqual([]);
    expect(dueEscalations(anEntry(), at('2026-12-01T12:00:00Z'), HOURS)).toEqual(['unassigned']);
  });

  it('never escalates the same way twice, and an assigned case only for being unresolved', () => {
    expect(dueEscalations(anEntry({ escalations: ['unassigned'] }), at('2026-12-01T20:00:00Z'), HOURS)).toEqual([]);
    expect(dueEscalations(anEntry({ status: 'assigned', owner: 'sam' }), at('2026-12-01T20:00:00Z'), HOURS)).toEqual([]);
    expect(dueEscalations(anEntry({ status: 'assigned', owner: 'sam' }), at('2026-12-03T08:00:00Z'), HOURS)).toEqual(['unresolved']);
  });

  it('never escalates a closed case', () => {
    expect(dueEscalations(anEntry({ status: 'closed', closedAt: '2026-12-01T09:00:00.000Z' }), at('2026-12-09T00:00:00Z'), HOURS)).toEqual([]);
  });
});

describe('per-reason case figures', () => {
  it('counts cases per reason and gives the median hours to close over the closed ones', () => {
    const stats = statsByReason([
      anEntry({ caseId: 'a', status: 'closed', closedAt: '2026-12-01T10:00:00.000Z' }),
      anEntry({ caseId: 'b', status: 'closed', closedAt: '2026-12-01T14:00:00.000Z' }),
      anEntry({ caseId: 'c' }),
      anEntry({ caseId: 'd', reason: 'return' }),
    ]);
    expect(stats).toEqual([
      { reason: 'complaint', count: 3, open: 1, closed: 2, medianHoursToResolve: 4 },
      { reason: 'return', count: 1, open: 1, closed: 0, medianHoursToResolve: undefined },
    ]);
  });
});

describe('the interaction body', () => {
  const schema = interactionInputSchema(['question', 'complaint']);
  const valid = {
    interactionId: 'I-1',
    customerEmail: 'a@example.com',
    channel: 'phone',
    reason: 'question',
    satisfied: 3,
    outcome: 'resolved',
    staffId: 'till-1',
  };

  it('accepts a contact with a configured reason', () => {
    expect(schema.safeParse(valid).success).toBe(true);
  });

  it('needs exactly one of customerEmail and customerId', () => {
    expect(schema.safeParse({ ...valid, customerId: 'c_000000000000000000000000' }).success).toBe(false);
    expect(schema.safeParse({ ...valid, customerEmail: undefined }).success).toBe(false);
  });

  it('refuses a reason that is not in config/console.yaml, and a satisfaction outside 1–5', () => {
    expect(schema.safeParse({ ...valid, reason: 'weather' }).success).toBe(false);
    expect(schema.safeParse({ ...valid, satisfied: 0 }).success).toBe(false);
    expect(schema.safeParse({ ...valid, satisfied: 2.5 }).success).toBe(false);
  });
});
