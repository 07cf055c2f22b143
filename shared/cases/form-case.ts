import { openCaseIfUnhappy, type CaseDeps } from '#shared/cases/case-actions.ts';
import type { CaseRecord } from '#shared/cases/case-record.ts';
import { consoleConfig } from '#shared/console/console-config.ts';

/** The reason a case from the incentive form carries (the form has no contact reason of its own). */
export const FORM_CASE_REASON = 'form';

/**
 * The capture flow's hook: an unhappy satisfaction answer on the incentive form opens a case, once per order (a
 * repeated submission opens none). config/console.yaml is read on the first call, so a capture-only deployment
 * without the console never needs it.
 */
export async function openCaseForFormAnswer(
  deps: CaseDeps,
  answer: { customerId: string; orderId: string; satisfaction: number; at: string },
): Promise<CaseRecord | undefined> {
  return openCaseIfUnhappy(
    deps,
    { customerId: answer.customerId, source: 'form', sourceRef: answer.orderId, reason: FORM_CASE_REASON, satisfied: answer.satisfaction, at: answer.at },
    consoleConfig().cases.openAtOrBelow,
  );
}
