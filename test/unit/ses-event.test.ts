import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchesEventPattern, validateEventPattern } from '#shared/events/pattern-matcher.ts';
import { EMAIL_EVENT_TYPES, SES_DETAIL_TYPES, SesEventBridgeEvent, eventTime, sesEventPattern } from '#shared/measurement/ses-event.ts';

const dir = 'test/fixtures/ses-events';
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((file): [string, unknown] => [file, JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'))]);

describe("SES events from EventBridge (SES's documented examples)", () => {
  it('has a fixture for every detail type', () => {
    const types = new Set(fixtures.map(([, f]) => SesEventBridgeEvent.parse(f)['detail-type']));
    expect([...types].sort()).toEqual(Object.keys(SES_DETAIL_TYPES).sort());
  });

  it.each(fixtures)('parses %s, whose detail-type agrees with its eventType, and the rule pattern matches it', (_file, fixture) => {
    const event = SesEventBridgeEvent.parse(fixture);
    const detailType = Object.entries(SES_DETAIL_TYPES).find(([, type]) => type === event.detail.eventType)?.[0];
    expect(event['detail-type']).toBe(detailType);
    expect(event.detail.mail.tags?.campaign).toEqual(['monthly-newsletter']);
    expect(Number.isNaN(Date.parse(eventTime(event.detail)))).toBe(false);
    const checked = validateEventPattern(sesEventPattern());
    expect(checked.ok && matchesEventPattern(checked.pattern, event)).toBe(true);
  });

  it("names every event type in Kinship's lower-case words", () => {
    expect(Object.values(EMAIL_EVENT_TYPES).sort()).toEqual([
      'bounce',
      'click',
      'complaint',
      'delivery',
      'delivery-delay',
      'open',
      'reject',
      'rendering-failure',
      'send',
      'subscription',
    ]);
  });

  it("takes the bounce's own time, not the mail's, as when it happened", () => {
    const bounce = SesEventBridgeEvent.parse(fixtures.find(([f]) => f === 'bounce-permanent.json')?.[1]);
    expect(eventTime(bounce.detail)).toBe('2026-11-05T10:00:02.669Z');
  });

  it('refuses a bounce without its bounce type, naming the field', () => {
    const bounce = fixtures.find(([f]) => f === 'bounce-permanent.json')?.[1];
    const broken: unknown = JSON.parse(JSON.stringify(bounce).replace('"bounceType":"Permanent",', ''));
    const result = SesEventBridgeEvent.safeParse(broken);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain('detail.bounce.bounceType');
  });
});
