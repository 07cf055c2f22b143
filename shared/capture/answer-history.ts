/**
 * The merge rule of form answers, pure: every submission is kept (the history), and the profile's current answer
 * to each question is the latest non-empty one. A later form that leaves a question empty, or omits it, does not
 * erase what an earlier form said. "Latest" is by submission time, ties broken by order id, so the result does
 * not depend on the order in which submissions are applied.
 */
import type { Answers } from '#shared/capture/submission-record.ts';
import { isRecord } from '#shared/is-record.ts';

export const ANSWER_SOURCE = 'form' as const;

/** Answers kept per submission and on the profile as `ans#<field>`; the referrer's address is not (it becomes `referredBy`, a customer id). */
export const PROFILE_ANSWER_FIELDS = [
  'name',
  'ageBand',
  'gender',
  'country',
  'postcode',
  'size',
  'satisfaction',
  'satisfactionReason',
  'whyChoseUs',
  'heardFrom',
  'heardFromOther',
  'interests',
  'preferredLanguage',
  'products',
] as const;
export type ProfileAnswerField = (typeof PROFILE_ANSWER_FIELDS)[number];

export type AnswerValue = string | number | string[];
export type AnswerSet = Partial<Record<ProfileAnswerField, AnswerValue>>;

/** One profile answer as stored (`ans#<field>`): the value, when and from which order's form. */
export interface StoredAnswer {
  value: AnswerValue;
  at: string;
  source: typeof ANSWER_SOURCE;
  orderId: string;
}

/** One submission of the form, as the history keeps it. */
export interface AnswerSubmission {
  orderId: string;
  submittedAt: string;
  answers: AnswerSet;
}

export function isEmptyAnswer(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** The answers a submission actually gives (empty and omitted ones dropped). */
export function nonEmptyAnswers(answers: Answers): AnswerSet {
  const out: AnswerSet = {};
  for (const field of PROFILE_ANSWER_FIELDS) {
    const value = answers[field];
    if (value !== undefined && !isEmptyAnswer(value)) out[field] = value;
  }
  return out;
}

/** Whether an answer given at (at, orderId) replaces one given at (than.at, than.orderId). */
export function supersedes(candidate: { at: string; orderId: string }, than: { at: string; orderId: string }): boolean {
  return candidate.at > than.at || (candidate.at === than.at && candidate.orderId > than.orderId);
}

/** Applies one submission to the current answers: each non-empty answer replaces an older one; nothing is removed. */
export function applySubmission(
  current: Partial<Record<ProfileAnswerField, StoredAnswer>>,
  submission: AnswerSubmission,
): Partial<Record<ProfileAnswerField, StoredAnswer>> {
  const next = { ...current };
  for (const field of PROFILE_ANSWER_FIELDS) {
    const value = submission.answers[field];
    if (value === undefined || isEmptyAnswer(value)) continue;
    const candidate: StoredAnswer = { value, at: submission.submittedAt, source: ANSWER_SOURCE, orderId: submission.orderId };
    const existing = next[field];
    if (existing === undefined || supersedes(candidate, existing)) next[field] = candidate;
  }
  return next;
}

/** The current answers of a history: per question, the latest non-empty answer. */
export function foldAnswers(history: readonly AnswerSubmission[]): Partial<Record<ProfileAnswerField, StoredAnswer>> {
  return history.reduce<Partial<Record<ProfileAnswerField, StoredAnswer>>>((current, submission) => applySubmission(current, submission), {});
}

function answerValueOf(value: unknown): AnswerValue | undefined {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return undefined;
}

/** Reads the answers map of a history or submission item; anything malformed is left out. */
export function answerSetOf(value: unknown): AnswerSet {
  if (!isRecord(value)) return {};
  const out: AnswerSet = {};
  for (const field of PROFILE_ANSWER_FIELDS) {
    const v = answerValueOf(value[field]);
    if (v !== undefined && !isEmptyAnswer(v)) out[field] = v;
  }
  return out;
}

/** Reads a stored `ans#<field>` attribute of a profile. */
export function storedAnswerOf(value: unknown): StoredAnswer | undefined {
  if (!isRecord(value)) return undefined;
  const v = answerValueOf(value.value);
  const at = value.at;
  const orderId = value.orderId;
  if (v === undefined || typeof at !== 'string') return undefined;
  return { value: v, at, source: ANSWER_SOURCE, orderId: typeof orderId === 'string' ? orderId : '' };
}
