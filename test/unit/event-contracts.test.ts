// Event contracts used both ways (issue 14 item 6): a campaign may only be triggered by an event that has a
// contract and a publisher, and its rule is the contract's own pattern.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignSchema, CampaignsFileSchema } from '#shared/campaigns/campaign-config.ts';
import { campaignTriggers } from '#shared/campaigns/campaign-triggers.ts';
import { configSchemas } from '#shared/config/config-schemas.ts';
import { RULE_TOO_COMPLEX, matchesEventPattern, validateEventPattern, type EventPattern } from '#shared/events/pattern-matcher.ts';
import { TRIGGER_EVENTS, triggerContract } from '#shared/events/trigger-events.ts';
import { aConsentGivenDetail, aSegmentEnteredDetail } from '#test/support/event-details.ts';

const root = join(import.meta.dirname, '..', '..');

/** Every TypeScript file of the code that runs in the product (publishers live in shared/ and functions/). */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file));
}

const productCode = [...sourceFiles('shared'), ...sourceFiles('functions')]
  .filter((file) => !file.startsWith(join('shared', 'events')))
  .map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') }));

/** The contracts declared in shared/events: `export const Name = defineEvent('Name', ...)`. */
const declared = sourceFiles(join('shared', 'events')).flatMap((file) => {
  const match = /export const (\w+) = defineEvent\(\s*'(\w+)'/.exec(readFileSync(join(root, file), 'utf8'));
  return match ? [{ file, constant: match[1] ?? '', detailType: match[2] ?? '' }] : [];
});

/** Files that create the event: `Name.create(` or `(cond ? Name : Other).create(` in one statement. */
function publishersOf(constant: string): string[] {
  const create = new RegExp(`\\b${constant}\\b[^;\\n]*\\.create\\(`);
  return productCode.filter(({ text }) => create.test(text)).map(({ file }) => file);
}

describe('event contracts', () => {
  it('are declared once each, named after their detail-type', () => {
    expect(declared.length).toBeGreaterThanOrEqual(19);
    for (const { constant, detailType } of declared) expect(constant).toBe(detailType);
    expect(new Set(declared.map((d) => d.detailType)).size).toBe(declared.length);
  });

  it.each(declared.map((d) => [d.detailType, d.constant]))('%s has a publisher in shared/ or functions/', (_, constant) => {
    expect(publishersOf(constant)).not.toEqual([]);
  });
});

describe('the trigger events a campaign may name', () => {
  it.each(TRIGGER_EVENTS.map((name) => [name]))('%s has a contract of that name, with a customerId, and a publisher', (name) => {
    const contract = triggerContract(name);
    expect(contract.detailType).toBe(name);
    expect(declared.map((d) => d.detailType)).toContain(name);
    expect(publishersOf(name)).not.toEqual([]);
  });

  it('are exactly what the campaigns JSON Schema offers editors', () => {
    const schema = JSON.stringify(configSchemas()['campaigns.schema.json']);
    expect(schema).toContain(`"enum":${JSON.stringify(TRIGGER_EVENTS)}`);
  });

  it('refuse an event that has no trigger contract, naming the allowed ones', () => {
    const parsed = CampaignSchema.safeParse({ id: 'thanks', kind: 'triggered', trigger: { event: 'OrderShipped' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['trigger', 'event'], message: expect.stringContaining('"SegmentEntered"') });
  });
});

describe("a triggered campaign's rule", () => {
  const file = CampaignsFileSchema.parse({
    campaigns: [
      { id: 'win-back', kind: 'triggered', trigger: { event: 'SegmentEntered', detail: { segment: ['lapsed'] } } },
      { id: 'welcome', kind: 'triggered', trigger: { event: 'ConsentGiven' } },
    ],
  });
  /** The event rules' patterns, checked as EventBridge checks them when the rule is created. */
  const rulePatterns = (): EventPattern[] =>
    campaignTriggers(file).map((trigger) => {
      const checked = trigger.kind === 'event' ? validateEventPattern(trigger.pattern) : undefined;
      if (!checked?.ok) throw new Error(`${trigger.name}: not a valid event rule`);
      return checked.pattern;
    });

  it("is the trigger contract's pattern, narrowed by the campaign's detail pattern", () => {
    expect(rulePatterns()).toEqual([triggerContract('SegmentEntered').pattern({ segment: ['lapsed'] }), triggerContract('ConsentGiven').pattern()]);
  });

  it("matches the events the contract's publisher creates, and only those", () => {
    const [winBack, welcome] = rulePatterns();
    if (!winBack || !welcome) throw new Error('expected two event rules');
    const event = (detailType: string, detail: Record<string, unknown>) => ({ source: 'kinship', 'detail-type': detailType, detail });
    expect(matchesEventPattern(winBack, event('SegmentEntered', aSegmentEnteredDetail({ segment: 'lapsed' })))).toBe(true);
    expect(matchesEventPattern(winBack, event('SegmentEntered', aSegmentEnteredDetail({ segment: 'gold' })))).toBe(false);
    expect(matchesEventPattern(welcome, event('ConsentGiven', aConsentGivenDetail()))).toBe(true);
    expect(matchesEventPattern(welcome, event('SegmentEntered', aSegmentEnteredDetail()))).toBe(false);
  });

  it('is refused in config when its wildcards are too complex for EventBridge', () => {
    const segment = ['*-at-*-risk', '*-at-*-loss', '*-at-*-rest', '*-at-*-ease'].map((wildcard) => ({ wildcard }));
    const parsed = CampaignSchema.safeParse({ id: 'win-back', kind: 'triggered', trigger: { event: 'SegmentEntered', detail: { segment } } });
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ path: ['trigger', 'detail'], message: `not a valid EventBridge pattern: ${RULE_TOO_COMPLEX}` }),
    ]);
  });
});
