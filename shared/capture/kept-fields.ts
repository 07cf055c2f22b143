import type { Answers } from '#shared/capture/submission-record.ts';
import type { Submission, SubmissionIssue } from '#shared/capture/submission-schema.ts';

/** A submission whose address is known: posted, or kept from what is on file. */
export type CompleteSubmission = Submission & { email: string };

/** The personal fields the form shows masked (mask-personal.ts): left empty, they keep what is on file. */
export const KEPT_FIELDS = ['name', 'postcode', 'referrerEmail'] as const;
export type KeptField = (typeof KEPT_FIELDS)[number];

/**
 * Fills the personal fields a submission left empty from what is on file (the order's address, or an earlier
 * submission's answers), so a page that never printed them back can be submitted as shown. Pure.
 */
export function withKeptFields(
  submission: Submission,
  onFile: { email: string | undefined; answers: Answers | undefined },
): { submission: CompleteSubmission } | { issues: SubmissionIssue[] } {
  const email = submission.email ?? onFile.email;
  if (email === undefined) return { issues: [{ field: 'email', key: 'error.required' }] };
  const kept: CompleteSubmission = { ...submission, email };
  for (const field of KEPT_FIELDS) if (kept[field] === undefined && onFile.answers?.[field] !== undefined) kept[field] = onFile.answers[field];
  if (kept.referrerEmail !== undefined && kept.referrerEmail.toLowerCase() === email.toLowerCase())
    return { issues: [{ field: 'referrerEmail', key: 'error.selfReferral' }] };
  return { submission: kept };
}
