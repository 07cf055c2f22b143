/**
 * `kinship campaigns validate`: everything that could go wrong with a campaign, found before anything is sent —
 * schema errors, unknown segments, template syntax and variables, missing languages — each with file and line.
 */
import { join } from 'node:path';
import { ConfigError, parseYamlConfig } from '#shared/config/load-yaml.ts';
import { SUPPORTED_LOCALES } from '#shared/locales.ts';
import { CampaignsFileSchema, templateFolderOf, type Campaign, type CampaignsFile } from '#shared/campaigns/campaign-config.ts';
import { checkTemplate } from '#shared/campaigns/template-engine.ts';
import {
  LAYOUT_FOLDER,
  LAYOUT_PARTS,
  LAYOUT_VARIABLES,
  readLayoutSources,
  readTemplateKind,
  readTemplateSources,
  TEMPLATE_PARTS,
  templateFolders,
} from '#shared/campaigns/email-templates.ts';
import { allowedVariables } from '#shared/campaigns/template-variables.ts';
import { knownSegmentIds } from '#shared/campaigns/known-segments.ts';
import { loadSegmentsConfig } from '#shared/segments/segment-config.ts';
import { loadCatalogs } from '#shared/i18n/catalogs.ts';

export const CAMPAIGNS_FILE = 'campaigns.yaml';
export const TEMPLATES_DIR = 'templates';

export interface ValidationFinding {
  severity: 'error' | 'warning';
  file: string;
  line: number | undefined;
  message: string;
}

export interface CampaignValidation {
  findings: ValidationFinding[];
  /** The parsed file when the schema accepted it (findings may still hold template or segment errors). */
  config: CampaignsFile | undefined;
}

export function validateCampaigns(configDir: string, knownSegments: ReadonlySet<string>): CampaignValidation {
  const file = join(configDir, CAMPAIGNS_FILE);
  const parsed = parseYamlConfig(file, CampaignsFileSchema);
  if (!parsed.ok) {
    return { config: undefined, findings: parsed.problems.map((p) => ({ severity: 'error', file: p.file, line: p.line, message: `${p.key}: ${p.message}` })) };
  }
  const findings: ValidationFinding[] = [];
  const config = parsed.data;
  const templatesDir = join(configDir, TEMPLATES_DIR);

  config.campaigns.forEach((campaign, index) => {
    const segmentAt = (path: (string | number)[], segment: string) => {
      if (!knownSegments.has(segment)) {
        findings.push({
          severity: 'error',
          file,
          line: parsed.lineOf(['campaigns', index, ...path]),
          message: `campaign "${campaign.id}": unknown segment "${segment}" (known: ${[...knownSegments].sort().join(', ')})`,
        });
      }
    };
    if (campaign.kind === 'newsletter') {
      campaign.audience.include.forEach((segment, i) => segmentAt(['audience', 'include', i], segment));
      campaign.audience.exclude.forEach((segment, i) => segmentAt(['audience', 'exclude', i], segment));
    } else if (campaign.trigger.event === 'SegmentEntered' || campaign.trigger.event === 'SegmentExited') {
      const named = campaign.trigger.detail?.segment;
      if (Array.isArray(named)) named.forEach((segment, i) => typeof segment === 'string' && segmentAt(['trigger', 'detail', 'segment', i], segment));
    }
    findings.push(...validateTemplates(templatesDir, campaign, config.defaults.fallbackLocale));
    findings.push(...validateMessageKind(templatesDir, campaign, { file, line: parsed.lineOf(['campaigns', index, 'purpose']) }));
    if (campaign.kind === 'triggered' && campaign.survey) {
      // Every answer is a link in the email and a choice on the page: it needs its words in every language.
      const catalogs = loadCatalogs(join(configDir, 'messages'));
      campaign.survey.choices.forEach((choice, i) => {
        const missing = SUPPORTED_LOCALES.filter((locale) => !catalogs.get(locale)?.has(`survey.reason.${choice}`));
        if (missing.length > 0)
          findings.push({
            severity: 'error',
            file,
            line: parsed.lineOf(['campaigns', index, 'survey', 'choices', i]),
            message: `campaign "${campaign.id}": survey choice "${choice}" needs survey.reason.${choice} in config/messages/{${missing.join(',')}}.json`,
          });
      });
    }
  });

  findings.push(...validateLayout(templatesDir));

  const used = new Set(config.campaigns.map(templateFolderOf));
  for (const folder of templateFolders(templatesDir)) {
    if (!used.has(folder))
      findings.push({
        severity: 'warning',
        file: join(templatesDir, folder),
        line: undefined,
        message: `template folder "${folder}" is not used by any campaign`,
      });
  }
  return { config, findings };
}

function validateLayout(templatesDir: string): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  const allowed = new Set<string>([...allowedVariables({ coupon: false }), ...LAYOUT_VARIABLES]);
  const layout = readLayoutSources(templatesDir);
  for (const part of LAYOUT_PARTS) {
    const file = layout[part];
    if (!file) {
      findings.push({ severity: 'error', file: join(templatesDir, LAYOUT_FOLDER), line: undefined, message: `the shared layout is missing layout.${part}` });
      continue;
    }
    for (const problem of checkTemplate(file.source, allowed, { allowRaw: ['content'] }))
      findings.push({ severity: 'error', file: file.path, line: problem.line, message: `the layout: ${problem.message}` });
  }
  return findings;
}

/**
 * A campaign's purpose and its template's kind must agree, so a marketing email cannot go out through the service
 * path (no consent, no cap) by a slip in one of the two files. A service template talks about the customer's own
 * business: it may carry a compensation coupon (service recovery) but not the product promotion variable.
 */
export const MARKETING_ONLY_VARIABLES = ['customer.favouriteCategory'] as const;

function validateMessageKind(templatesDir: string, campaign: Campaign, at: { file: string; line: number | undefined }): ValidationFinding[] {
  const folder = templateFolderOf(campaign);
  const kind = readTemplateKind(templatesDir, folder);
  if (!kind.ok)
    return kind.problems.map((p) => ({ severity: 'error', file: p.file, line: p.line, message: `campaign "${campaign.id}": ${p.key}: ${p.message}` }));
  const findings: ValidationFinding[] = [];
  if (kind.kind !== campaign.purpose) {
    const declared = kind.declared ? `declares kind: ${kind.kind}` : 'declares no kind (so it is marketing)';
    const fix = campaign.purpose === 'service' ? `add ${kind.file} with "kind: service"` : `set purpose: ${kind.kind} on the campaign, or change ${kind.file}`;
    findings.push({
      severity: 'error',
      file: at.file,
      line: at.line,
      message: `campaign "${campaign.id}" (purpose: ${campaign.purpose}): template folder "${folder}" ${declared}; ${fix}`,
    });
  }
  if (kind.kind === 'service') {
    for (const [locale, parts] of readTemplateSources(templatesDir, folder)) {
      for (const part of TEMPLATE_PARTS) {
        const template = parts[part];
        for (const variable of MARKETING_ONLY_VARIABLES) {
          const line = template?.source.split('\n').findIndex((text) => text.includes(variable));
          if (template && line !== undefined && line >= 0)
            findings.push({
              severity: 'error',
              file: template.path,
              line: line + 1,
              message: `campaign "${campaign.id}": a service template (${locale}) may not use ${variable} (product promotion is marketing)`,
            });
        }
      }
    }
  }
  return findings;
}

function validateTemplates(templatesDir: string, campaign: Campaign, fallbackLocale: string): ValidationFinding[] {
  return checkFolder(templatesDir, templateFolderOf(campaign), allowedVariables({ coupon: campaign.coupon !== undefined }), fallbackLocale, campaign.id);
}

function checkFolder(templatesDir: string, folder: string, allowed: ReadonlySet<string>, fallbackLocale: string, campaignId: string): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  const parts = TEMPLATE_PARTS;
  const who = `campaign "${campaignId}"`;
  const sources = readTemplateSources(templatesDir, folder);
  for (const locale of SUPPORTED_LOCALES) {
    const files = sources.get(locale);
    const missing = parts.filter((part) => files?.[part] === undefined);
    if (missing.length > 0) {
      const isFallback = locale === fallbackLocale;
      const partial = missing.length < parts.length;
      // The fallback language must be complete; another language may be absent (it falls back) but not half there.
      if (isFallback || partial) {
        findings.push({
          severity: 'error',
          file: join(templatesDir, folder),
          line: undefined,
          message: `${who}: ${locale} template is missing ${missing.map((p) => `${locale}.${p}`).join(', ')}${isFallback ? ' (the fallback language must be complete)' : ''}`,
        });
      } else {
        findings.push({
          severity: 'warning',
          file: join(templatesDir, folder),
          line: undefined,
          message: `${who}: no ${locale} template; ${locale} readers get ${fallbackLocale}`,
        });
      }
    }
    for (const part of parts) {
      const template = files?.[part];
      if (!template) continue;
      for (const problem of checkTemplate(template.source, allowed)) {
        findings.push({ severity: 'error', file: template.path, line: problem.line, message: `${who}: ${problem.message}` });
      }
    }
  }
  return findings;
}

export function formatFinding(finding: ValidationFinding): string {
  return `${finding.file}${finding.line === undefined ? '' : `:${finding.line}`}: ${finding.severity}: ${finding.message}`;
}

/**
 * `campaigns validate` as a gate: the sender's cold start and `cdk synth` run exactly these checks and refuse a
 * config with an error (a broken template, an unknown variable, raw `{{{ }}}` output), so none can reach a send.
 */
export function assertCampaignsValid(configDirectory: string): void {
  const { findings } = validateCampaigns(configDirectory, knownSegmentIds(loadSegmentsConfig(configDirectory)));
  const errors = findings.filter((finding) => finding.severity === 'error');
  if (errors.length > 0) {
    throw new ConfigError(
      `config/campaigns.yaml or its templates have ${errors.length} error${errors.length === 1 ? '' : 's'} (see npx kinship campaigns validate):\n${errors.map(formatFinding).join('\n')}`,
    );
  }
}
