import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchemas } from '#shared/config/config-schemas.ts';
import { assertCampaignsValid, validateCampaigns, type ValidationFinding } from '#shared/campaigns/validate-campaigns.ts';
import { AttributionWindowsSchema } from '#shared/campaigns/attribution-config.ts';
import { loadCampaignsFile } from '#shared/campaigns/campaign-triggers.ts';
import { loadCampaignSurveys } from '#shared/campaigns/survey-config.ts';
import { ConfigError, loadYamlSections } from '#shared/config/load-yaml.ts';
import { loadReportSettings } from '#shared/reports/report-settings.ts';
import { surveyChoices } from '#shared/survey/survey-route.ts';
import { loadPlanningSettings } from '#shared/campaigns/checked-campaigns.ts';
import { loadSendingSettings } from '#shared/sending/sending-settings.ts';

const repoConfig = join(process.cwd(), 'config');
const knownSegments = new Set(['all-customers', 'lapsed', 'gold', 'unsatisfied', 'new']);
const copies: string[] = [];

/** A private copy of config/ to break on purpose. */
function configCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kinship-campaigns-'));
  copies.push(dir);
  cpSync(repoConfig, dir, { recursive: true });
  return dir;
}

function edit(file: string, change: (text: string) => string): void {
  writeFileSync(file, change(readFileSync(file, 'utf8')));
}

const errors = (findings: ValidationFinding[]) => findings.filter((f) => f.severity === 'error');

afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('validateCampaigns', () => {
  it("passes the demo shop's campaigns: six campaigns, every language, no findings", () => {
    const { config, findings } = validateCampaigns(repoConfig, knownSegments);
    expect(findings).toEqual([]);
    expect(config?.campaigns.map((c) => c.id)).toEqual(['monthly-newsletter', 'welcome', 'win-back', 'gold-reward', 'referral-thank-you', 'service-recovery']);
  });

  it('marks service recovery and the referral thank-you as service messages, the rest as marketing', () => {
    const { config } = validateCampaigns(repoConfig, knownSegments);
    expect(config?.campaigns.filter((c) => c.purpose === 'service').map((c) => c.id)).toEqual(['referral-thank-you', 'service-recovery']);
  });

  it('refuses a service campaign whose template is a marketing one, at the purpose line, saying how to fix it', () => {
    const dir = configCopy();
    rmSync(join(dir, 'templates', 'referral-thank-you', 'template.yaml'));
    const found = errors(validateCampaigns(dir, knownSegments).findings);
    const lines = readFileSync(join(dir, 'campaigns.yaml'), 'utf8').split('\n');
    expect(found).toHaveLength(1);
    expect(found[0]?.file).toBe(join(dir, 'campaigns.yaml'));
    expect(found[0]?.line).toBe(lines.findIndex((l) => l.includes('purpose: service')) + 1);
    expect(found[0]?.message).toMatch(
      /campaign "referral-thank-you" \(purpose: service\): template folder "referral-thank-you" declares no kind .*add .*template\.yaml with "kind: service"/,
    );
  });

  it('refuses a marketing campaign that uses a service template', () => {
    const dir = configCopy();
    edit(join(dir, 'campaigns.yaml'), (text) => text.replace('    purpose: service               # reaches', '    # reaches'));
    expect(errors(validateCampaigns(dir, knownSegments).findings).map((f) => f.message)).toEqual([
      expect.stringMatching(/campaign "service-recovery" \(purpose: marketing\): template folder "service-recovery" declares kind: service/),
    ]);
  });

  it('refuses a newsletter with purpose service, naming the key', () => {
    const dir = configCopy();
    edit(join(dir, 'campaigns.yaml'), (text) => text.replace('    kind: newsletter\n', '    kind: newsletter\n    purpose: service\n'));
    const { findings, config } = validateCampaigns(dir, knownSegments);
    expect(config).toBeUndefined();
    expect(errors(findings).map((f) => f.message)).toEqual([expect.stringMatching(/^campaigns\.0\.purpose: a newsletter is marketing/)]);
  });

  it('refuses product promotion in a service template and a template.yaml with an unknown kind', () => {
    const dir = configCopy();
    edit(join(dir, 'templates', 'service-recovery', 'is.txt'), (text) => `${text}\n{{customer.favouriteCategory}}\n`);
    writeFileSync(join(dir, 'templates', 'referral-thank-you', 'template.yaml'), 'kind: transactional\n');
    const found = errors(validateCampaigns(dir, knownSegments).findings);
    expect(found.map((f) => [f.file, f.message])).toEqual([
      [join(dir, 'templates', 'referral-thank-you', 'template.yaml'), expect.stringMatching(/campaign "referral-thank-you": kind: /)],
      [join(dir, 'templates', 'service-recovery', 'is.txt'), expect.stringMatching(/a service template \(is\) may not use customer\.favouriteCategory/)],
    ]);
  });

  it("requires every survey answer to have its label in every language, at the choice's line", () => {
    const dir = configCopy();
    edit(join(dir, 'campaigns.yaml'), (text) => text.replace('bad-service, other]', 'bad-service, moved-away, other]'));
    const [finding, ...more] = errors(validateCampaigns(dir, knownSegments).findings);
    expect(more).toEqual([]);
    expect(finding?.line).toBe(
      readFileSync(join(dir, 'campaigns.yaml'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('moved-away')) + 1,
    );
    expect(finding?.message).toBe('campaign "win-back": survey choice "moved-away" needs survey.reason.moved-away in config/messages/{en,is,da,he,fi}.json');
  });

  it('catches a broken template at validate time, naming the file and line', () => {
    const dir = configCopy();
    edit(join(dir, 'templates', 'win-back', 'da.html'), (text) => `${text}\n<p>{{coupon.cod}}</p>\n`);
    const found = errors(validateCampaigns(dir, knownSegments).findings);
    expect(found).toHaveLength(1);
    expect(found[0]?.file).toBe(join(dir, 'templates', 'win-back', 'da.html'));
    expect(found[0]?.line).toBe(
      readFileSync(join(dir, 'templates', 'win-back', 'da.html'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('coupon.cod}')) + 1,
    );
    expect(found[0]?.message).toMatch(/unknown variable "coupon.cod" \(did you mean coupon.code\?\)/);
  });

  it('reports a coupon variable in a campaign that grants no coupon', () => {
    const dir = configCopy();
    edit(join(dir, 'templates', 'welcome', 'fi.txt'), (text) => `${text}{{coupon.code}}\n`);
    expect(errors(validateCampaigns(dir, knownSegments).findings).map((f) => f.message)).toEqual([
      expect.stringMatching(/campaign "welcome": unknown variable "coupon.code"/),
    ]);
  });

  it('reports an unknown segment at its line in campaigns.yaml', () => {
    const dir = configCopy();
    edit(join(dir, 'campaigns.yaml'), (text) => text.replace('detail: { segment: [gold] }', 'detail: { segment: [platinum] }'));
    const [finding] = errors(validateCampaigns(dir, knownSegments).findings);
    const lines = readFileSync(join(dir, 'campaigns.yaml'), 'utf8').split('\n');
    expect(finding?.line).toBe(lines.findIndex((l) => l.includes('platinum')) + 1);
    expect(finding?.message).toMatch(/campaign "gold-reward": unknown segment "platinum"/);
  });

  it('requires the fallback language but only warns about another missing language', () => {
    const dir = configCopy();
    rmSync(join(dir, 'templates', 'welcome', 'en.subject'));
    for (const part of ['subject', 'html', 'txt']) rmSync(join(dir, 'templates', 'gold-reward', `fi.${part}`));
    const { findings } = validateCampaigns(dir, knownSegments);
    expect(errors(findings).map((f) => f.message)).toEqual([
      expect.stringMatching(/campaign "welcome": en template is missing en.subject \(the fallback language must be complete\)/),
    ]);
    expect(findings.filter((f) => f.severity === 'warning').map((f) => f.message)).toEqual(['campaign "gold-reward": no fi template; fi readers get en']);
  });

  it('reports schema problems — bad cron, duplicate id, unknown key — each with its line', () => {
    const dir = configCopy();
    edit(join(dir, 'campaigns.yaml'), (text) =>
      text
        .replace('cron(0 10 1 * ? *)', 'cron(0 25 1 * ? *)')
        .replace('- id: gold-reward', '- id: win-back')
        .replace('oncePerCustomer: true', 'oncePerCustomer: true\n    sendAt: dawn'),
    );
    const { findings, config } = validateCampaigns(dir, knownSegments);
    expect(config).toBeUndefined();
    const text = readFileSync(join(dir, 'campaigns.yaml'), 'utf8').split('\n');
    const lineOf = (needle: string) => text.findLastIndex((l) => l.includes(needle)) + 1;
    expect(findings).toEqual([
      {
        severity: 'error',
        file: join(dir, 'campaigns.yaml'),
        line: lineOf('cron(0 25'),
        message: 'campaigns.0.schedule.expression: cron(0 25 1 * ? *): hours 25 is out of range 0–23',
      },
      { severity: 'error', file: join(dir, 'campaigns.yaml'), line: lineOf('- id: welcome'), message: 'campaigns.1: Unrecognized key: "sendAt"' },
      {
        severity: 'error',
        file: join(dir, 'campaigns.yaml'),
        line: lineOf('- id: win-back'),
        message: 'campaigns.3.id: duplicate campaign id "win-back" (also campaign 3)',
      },
    ]);
  });

  it('checks the shared layout too: its own variables are known, a typo is not', () => {
    const dir = configCopy();
    const layout = join(dir, 'templates', '_layout', 'layout.html');
    edit(layout, (text) => text.replace('{{footer.reason}}', '{{footer.reasons}}'));
    const [finding] = errors(validateCampaigns(dir, knownSegments).findings);
    expect(finding).toMatchObject({
      file: layout,
      line:
        readFileSync(layout, 'utf8')
          .split('\n')
          .findIndex((l) => l.includes('footer.reasons')) + 1,
    });
    expect(finding?.message).toMatch(/the layout: unknown variable "footer.reasons" \(did you mean footer.reason\?\)/);
  });

  it('rejects a trigger pattern EventBridge would refuse', () => {
    const dir = configCopy();
    edit(join(dir, 'campaigns.yaml'), (text) => text.replace('detail: { segment: [lapsed] }', 'detail: { segment: lapsed }'));
    const { findings } = validateCampaigns(dir, knownSegments);
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/trigger\.detail: not a valid EventBridge pattern/)]);
  });

  it('rejects a trigger pattern whose wildcards EventBridge would refuse as too complex', () => {
    const dir = configCopy();
    const segment = '[{ wildcard: "*-at-*-risk" }, { wildcard: "*-at-*-loss" }, { wildcard: "*-at-*-rest" }, { wildcard: "*-at-*-ease" }]';
    edit(join(dir, 'campaigns.yaml'), (text) => text.replace('detail: { segment: [lapsed] }', `detail: { segment: ${segment} }`));
    const { findings } = validateCampaigns(dir, knownSegments);
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/trigger\.detail: not a valid EventBridge pattern: Rule is too complex/)]);
  });
});

describe('generated JSON Schemas', () => {
  it('match config/schemas/ (run `npm run schemas` after changing a config schema)', () => {
    for (const [file, schema] of Object.entries(configSchemas())) {
      const committed: unknown = JSON.parse(readFileSync(join(repoConfig, 'schemas', file), 'utf8'));
      expect(committed, file).toEqual(schema);
    }
  });
});

describe('the same checks as a gate at cold start and at cdk synth', () => {
  it("lets the demo shop's config through", () => {
    expect(() => assertCampaignsValid(repoConfig)).not.toThrow();
    expect(loadSendingSettings(repoConfig).campaigns.size).toBeGreaterThan(0);
    expect(loadPlanningSettings(repoConfig).campaigns.size).toBe(loadSendingSettings(repoConfig).campaigns.size);
  });

  it("stops the sender's cold start on raw {{{ }}} output in a template, naming the file and line", () => {
    const dir = configCopy();
    edit(join(dir, 'templates', 'win-back', 'is.html'), (text) => `${text}\n<p>{{{firstName}}}</p>\n`);
    const line =
      readFileSync(join(dir, 'templates', 'win-back', 'is.html'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('{{{firstName}}}')) + 1;
    expect(() => loadSendingSettings(dir)).toThrow(ConfigError);
    expect(() => loadSendingSettings(dir)).toThrow(new RegExp(`win-back/is\\.html:${line}: error`));
    // The planner compiles no template, yet its start stops on the same mistake.
    expect(() => loadPlanningSettings(dir)).toThrow(new RegExp(`win-back/is\\.html:${line}: error`));
  });
});

describe('a section of campaigns.yaml read on its own (loadYamlSections)', () => {
  it('gives the attribution windows, the report window and the surveys the whole file gives', () => {
    const file = loadCampaignsFile(repoConfig);
    expect(loadYamlSections('campaigns.yaml', { attribution: AttributionWindowsSchema }, repoConfig).attribution).toEqual(file.attribution);
    expect(loadReportSettings(repoConfig).conversionWindowDays).toBe(file.attribution.clickWindowDays);
    expect([...surveyChoices(loadCampaignSurveys(repoConfig))]).toEqual([...surveyChoices(file.campaigns)]);
  });

  it('fails on a bad value in its own section with file, line and key, and is not stopped by a problem elsewhere', () => {
    const dir = configCopy();
    const file = join(dir, 'campaigns.yaml');
    edit(file, (text) => text.replace(/clickWindowDays: \d+/, 'clickWindowDays: 400'));
    const line =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('clickWindowDays: 400')) + 1;
    expect(() => loadYamlSections('campaigns.yaml', { attribution: AttributionWindowsSchema }, dir)).toThrow(
      new RegExp(`campaigns\\.yaml:${line}: attribution\\.clickWindowDays: `),
    );
    // The surveys do not read the attribution windows; the whole file's check (cdk synth, npm start) still stops on them.
    expect(surveyChoices(loadCampaignSurveys(dir)).get('win-back')).toContain('too-expensive');
    expect(() => loadCampaignsFile(dir)).toThrow(ConfigError);
  });
});
