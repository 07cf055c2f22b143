import { describe, expect, it } from 'vitest';
import { decideSuppression } from '#shared/measurement/suppression.ts';

const clean = { softBounceStreak: 0, suppressedReason: undefined };

describe('suppression decisions', () => {
  it('suppresses at once on a hard bounce', () => {
    expect(decideSuppression({ kind: 'bounce', bounceType: 'Permanent' }, clean, 3)).toEqual({
      suppress: 'bounce',
      softBounceStreak: undefined,
      withdrawConsent: false,
    });
  });

  it('suppresses at once on a complaint, and withdraws marketing consent', () => {
    expect(decideSuppression({ kind: 'complaint' }, clean, 3)).toEqual({ suppress: 'complaint', softBounceStreak: undefined, withdrawConsent: true });
  });

  it('suppresses on the Nth soft bounce in a row, not before', () => {
    expect(decideSuppression({ kind: 'bounce', bounceType: 'Transient' }, { ...clean, softBounceStreak: 1 }, 3)).toMatchObject({
      suppress: undefined,
      softBounceStreak: 2,
    });
    expect(decideSuppression({ kind: 'bounce', bounceType: 'Transient' }, { ...clean, softBounceStreak: 2 }, 3)).toMatchObject({
      suppress: 'bounce',
      softBounceStreak: 3,
    });
    expect(decideSuppression({ kind: 'bounce', bounceType: 'Undetermined' }, clean, 1)).toMatchObject({ suppress: 'bounce', softBounceStreak: 1 });
  });

  it('resets the soft-bounce streak on a delivery', () => {
    expect(decideSuppression({ kind: 'delivery' }, { ...clean, softBounceStreak: 2 }, 3)).toMatchObject({ suppress: undefined, softBounceStreak: 0 });
    expect(decideSuppression({ kind: 'delivery' }, clean, 3).softBounceStreak).toBeUndefined();
  });

  it('keeps the first reason of an address already suppressed', () => {
    expect(decideSuppression({ kind: 'complaint' }, { softBounceStreak: 0, suppressedReason: 'bounce' }, 3)).toMatchObject({
      suppress: undefined,
      withdrawConsent: true,
    });
  });

  it('leaves opens, clicks and the rest alone', () => {
    expect(decideSuppression({ kind: 'other' }, { ...clean, softBounceStreak: 2 }, 3)).toEqual({
      suppress: undefined,
      softBounceStreak: undefined,
      withdrawConsent: false,
    });
  });
});
