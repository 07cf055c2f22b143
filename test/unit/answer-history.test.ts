import { describe, expect, it } from 'vitest';
import { applySubmission, foldAnswers, nonEmptyAnswers, type AnswerSubmission } from '#shared/capture/answer-history.ts';
import type { Answers } from '#shared/capture/submission-record.ts';

function someAnswers(overrides: Partial<Answers> = {}): Answers {
  return { products: [], interests: [], ...overrides };
}

const submission = (orderId: string, submittedAt: string, answers: AnswerSubmission['answers']): AnswerSubmission => ({ orderId, submittedAt, answers });

describe('form answers: latest non-empty wins', () => {
  it('keeps an earlier answer that a later form leaves out or empty', () => {
    const current = foldAnswers([
      submission('o1', '2026-01-10T10:00:00.000Z', { heardFrom: 'social', whyChoseUs: 'Good tents', interests: ['tents', 'bags'], ageBand: '25-34' }),
      submission('o2', '2026-03-02T09:00:00.000Z', nonEmptyAnswers(someAnswers({ satisfaction: 4, whyChoseUs: '   ', interests: [] }))),
    ]);
    expect(current.heardFrom).toEqual({ value: 'social', at: '2026-01-10T10:00:00.000Z', source: 'form', orderId: 'o1' });
    expect(current.whyChoseUs?.value).toBe('Good tents');
    expect(current.interests?.value).toEqual(['tents', 'bags']);
    expect(current.satisfaction).toEqual({ value: 4, at: '2026-03-02T09:00:00.000Z', source: 'form', orderId: 'o2' });
  });

  it('lets a later non-empty answer replace an earlier one', () => {
    const current = foldAnswers([
      submission('o1', '2026-01-10T10:00:00.000Z', { heardFrom: 'social' }),
      submission('o2', '2026-02-10T10:00:00.000Z', { heardFrom: 'friend' }),
    ]);
    expect(current.heardFrom).toMatchObject({ value: 'friend', orderId: 'o2' });
  });

  it('gives the same answers whatever order the submissions are applied in (time decides, then order id)', () => {
    const history = [
      submission('o1', '2026-01-10T10:00:00.000Z', { heardFrom: 'social', ageBand: '18-24' }),
      submission('o3', '2026-02-10T10:00:00.000Z', { heardFrom: 'press' }),
      submission('o2', '2026-02-10T10:00:00.000Z', { heardFrom: 'store', ageBand: '25-34' }),
    ];
    const forwards = foldAnswers(history);
    expect(foldAnswers([...history].reverse())).toEqual(forwards);
    expect(forwards.heardFrom).toMatchObject({ value: 'press', orderId: 'o3' });
    expect(forwards.ageBand).toMatchObject({ value: '25-34', orderId: 'o2' });
  });

  it('does not let an older submission that arrives late overwrite a newer answer', () => {
    const newer = applySubmission({}, submission('o2', '2026-02-10T10:00:00.000Z', { heardFrom: 'friend' }));
    const after = applySubmission(newer, submission('o1', '2026-01-10T10:00:00.000Z', { heardFrom: 'social', ageBand: '45-54' }));
    expect(after.heardFrom).toMatchObject({ value: 'friend' });
    expect(after.ageBand).toMatchObject({ value: '45-54', orderId: 'o1' });
  });

  it('treats blank text and empty lists as no answer, and never keeps the referrer address', () => {
    expect(
      nonEmptyAnswers(
        someAnswers({ name: ' ', satisfactionReason: '', products: [], interests: ['tents'], referrerEmail: 'friend@example.com', satisfaction: 1 }),
      ),
    ).toEqual({ interests: ['tents'], satisfaction: 1 });
  });
});
