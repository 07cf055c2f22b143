// The two EventBridge behaviours of issue 14 item 10, as event-ruler implements them:
// dotted keys and nested fields name the same path (both ways, verified on AWS: ministackorg/ministack#1493),
// and a rule whose wildcards are too complex is refused when it is created (MachineComplexityEvaluator).
import { describe, expect, it } from 'vitest';
import { RULE_TOO_COMPLEX, matchesEventPattern, validateEventPattern, wildcardComplexity, type EventPattern } from '#shared/events/pattern-matcher.ts';
import { rulesOf } from '#local/event-bus.ts';
import type { Topology } from '#shared/topology.ts';

function anEvent(detail: Record<string, unknown>): Record<string, unknown> {
  return { id: 'e-1', source: 'kinship', 'detail-type': 'SegmentEntered', time: '2026-12-01T10:00:00Z', detail };
}

function refusal(pattern: unknown): string {
  const result = validateEventPattern(pattern);
  if (result.ok) throw new Error(`expected ${JSON.stringify(pattern)} to be refused`);
  return result.error;
}

describe('dotted keys and nested fields are one path', () => {
  it('matches a dotted pattern key against nested event fields', () => {
    const pattern: EventPattern = { 'detail.segment': ['lapsed'] };
    expect(matchesEventPattern(pattern, anEvent({ segment: 'lapsed' }))).toBe(true);
    expect(matchesEventPattern(pattern, anEvent({ segment: 'gold' }))).toBe(false);
  });

  it('matches nested pattern fields against a dotted event key', () => {
    const pattern: EventPattern = { detail: { order: { channel: ['shop'] } } };
    expect(matchesEventPattern(pattern, anEvent({ 'order.channel': 'shop' }))).toBe(true);
    expect(matchesEventPattern(pattern, anEvent({ 'order.channel': 'web' }))).toBe(false);
  });

  it('matches a dotted pattern key against a dotted event key split at another dot', () => {
    const pattern: EventPattern = { 'detail.order': { channel: ['shop'] } };
    expect(matchesEventPattern(pattern, { 'detail.order.channel': 'shop' })).toBe(true);
  });

  it('keeps operators working under a dotted key', () => {
    const pattern: EventPattern = { 'detail.total': [{ numeric: ['>', 100] }], 'detail.email': [{ exists: false }] };
    expect(matchesEventPattern(pattern, anEvent({ total: 120 }))).toBe(true);
    expect(matchesEventPattern(pattern, anEvent({ total: 80 }))).toBe(false);
    expect(matchesEventPattern(pattern, anEvent({ total: 120, email: 'x' }))).toBe(false);
  });

  it('applies dotted keys inside $or branches', () => {
    const pattern: EventPattern = { $or: [{ 'detail.segment': ['gold'] }, { 'detail.segment': ['silver'] }] };
    expect(matchesEventPattern(pattern, anEvent({ segment: 'silver' }))).toBe(true);
    expect(matchesEventPattern(pattern, anEvent({ segment: 'lapsed' }))).toBe(false);
  });

  it('holds the fields of a dotted key and a nested object to the same array element', () => {
    const pattern: EventPattern = { 'detail.items.sku': ['A'], detail: { items: { category: ['shoes'] } } };
    expect(matchesEventPattern(pattern, anEvent({ items: [{ sku: 'A', category: 'shoes' }] }))).toBe(true);
    expect(
      matchesEventPattern(
        pattern,
        anEvent({
          items: [
            { sku: 'A', category: 'hats' },
            { sku: 'B', category: 'shoes' },
          ],
        }),
      ),
    ).toBe(false);
  });

  it('refuses a pattern that names one path twice, once dotted and once nested', () => {
    expect(refusal({ 'detail.segment': ['gold'], detail: { segment: ['silver'] } })).toBe(
      '$: path "detail.segment" is given more than once (a dotted key and nested fields name the same path)',
    );
  });
});

describe('wildcard complexity, as event-ruler measures it', () => {
  // Expected numbers from event-ruler's MachineComplexityEvaluatorTest (bare patterns, no JSON quotes).
  it.each([
    [1, ['*']],
    [3, ['*aa']],
    [2, ['a*b']],
    [4, ['a*bbb']],
    [4, ['*ab*ad']],
    [7, ['*ab*b*b*']],
    [17, ['*a*a*a*a*a*a*a*a*']],
    [11, ['a*a*a*a*a*a*']],
    [4, ['*abc', '*abcde']],
    [7, ['a*aaa', 'aa*aa']],
    [6, ['ab*cd', 'ab*wx', 'ab*yz']],
    [2, ['ab*c', 'ab*c']],
    [10, ['F*eatureFeature', 'Fe*atureFeature', 'Fea*tureFeature']],
  ])('is %i for %j', (expected, wildcards) => {
    expect(wildcardComplexity(wildcards, { quoted: false, limit: 100 })).toBe(expected);
  });

  it('counts an escaped asterisk as a literal, not a wildcard', () => {
    expect(wildcardComplexity(['a\\*a\\*a\\*a'], { quoted: false, limit: 100 })).toBe(1);
  });
});

describe('EventBridge refuses a too-complex rule when it is created', () => {
  const fourWildcards = ['*/datasync/*.bif', '*/datasync/*.tif', '*/datasync/*.tiff', '*/datasync/*.svs'].map((wildcard) => ({ wildcard }));

  it('refuses four repeating wildcards on one field, with the message AWS gives', () => {
    expect(refusal({ detail: { object: { key: fourWildcards } } })).toBe(RULE_TOO_COMPLEX);
  });

  it('accepts two of them, and four wildcards that share nothing after the first *', () => {
    expect(validateEventPattern({ detail: { object: { key: fourWildcards.slice(0, 2) } } }).ok).toBe(true);
    expect(validateEventPattern({ detail: { object: { key: ['*.bif', '*.tif', '*.tiff', '*.svs'].map((wildcard) => ({ wildcard })) } } }).ok).toBe(true);
  });

  it('adds up the wildcards of $or branches that reach the same field', () => {
    const twoEach = { $or: [{ detail: { key: fourWildcards.slice(0, 2) } }, { detail: { key: fourWildcards.slice(2) } }] };
    expect(refusal(twoEach)).toBe(RULE_TOO_COMPLEX);
  });

  it('keeps apart the wildcards of branches that differ before that field', () => {
    const apart = { $or: [{ detail: { a: ['x'], key: fourWildcards.slice(0, 2) } }, { detail: { a: ['y'], key: fourWildcards.slice(2) } }] };
    expect(validateEventPattern(apart).ok).toBe(true);
  });

  it('counts anything-but wildcards too', () => {
    expect(refusal({ key: [{ 'anything-but': { wildcard: fourWildcards.map((w) => w.wildcard) } }] })).toBe(RULE_TOO_COMPLEX);
  });

  it('refuses it at rule creation in the local bus, naming the rule and the function', () => {
    const topology: Topology = {
      queues: [],
      functions: [
        {
          name: 'plan-campaign',
          feature: 'campaigns',
          description: 'test',
          memoryMb: 128,
          timeoutSeconds: 3,
          access: {},
          triggers: [{ kind: 'event', name: 'campaign-files', pattern: { source: ['kinship'], detail: { key: fourWildcards } } }],
        },
      ],
    };
    expect(() => rulesOf(topology)).toThrow(`Event rule "campaign-files" of function "plan-campaign" has an invalid pattern: ${RULE_TOO_COMPLEX}`);
  });
});
