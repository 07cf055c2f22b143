/**
 * Campaign emails on disk: config/templates/<folder>/<locale>.subject|.html|.txt, wrapped in the one shared layout
 * config/templates/_layout/layout.html|.txt (header, footer, unsubscribe link), whose words come from the message
 * catalogs (`campaign.footer.*`). Each folder is read and compiled once, when first used; rendering picks the recipient's language
 * or the campaign's fallback language.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { parseYamlConfig, type ConfigProblem } from '#shared/config/load-yaml.ts';
import { loadCatalogs, translator, type Catalogs } from '#shared/i18n/catalogs.ts';
import { SUPPORTED_LOCALES, type Locale } from '#shared/locales.ts';
import { compileTemplate, type CompiledTemplate } from '#shared/campaigns/template-engine.ts';
import type { TemplateContext } from '#shared/campaigns/template-variables.ts';
import type { TemplateReadCheck } from '#shared/campaigns/checked-campaigns.ts';
import { surveyBlock, type SurveyLinks } from '#shared/survey/survey-block.ts';

export const TEMPLATE_PARTS = ['subject', 'html', 'txt'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];
export const LAYOUT_FOLDER = '_layout';
export const LAYOUT_PARTS = ['html', 'txt'] as const;
/** The layout's own variables, besides the template variables. */
export const LAYOUT_VARIABLES = ['content', 'subject', 'lang', 'dir', 'footer.reason', 'footer.unsubscribe', 'footer.oneClick'] as const;

/** The shared layout's files, by part. */
export function readLayoutSources(templatesDir: string): Partial<Record<(typeof LAYOUT_PARTS)[number], TemplateFile>> {
  const out: Partial<Record<(typeof LAYOUT_PARTS)[number], TemplateFile>> = {};
  for (const part of LAYOUT_PARTS) {
    const path = join(templatesDir, LAYOUT_FOLDER, `layout.${part}`);
    if (existsSync(path)) out[part] = { path, source: readFileSync(path, 'utf8') };
  }
  return out;
}

/** A template folder may declare its kind in template.yaml; without one it is a marketing template. */
export const TEMPLATE_META_FILE = 'template.yaml';
export const TEMPLATE_KINDS = ['marketing', 'service'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];
export const TemplateMetaSchema = z.strictObject({
  kind: z.enum(TEMPLATE_KINDS).describe('service: no newsletter footer, no one-click List-Unsubscribe; the footer offers to stop every email instead'),
});

export type TemplateKindRead = { ok: true; kind: TemplateKind; file: string; declared: boolean } | { ok: false; problems: ConfigProblem[] };

/** The kind a template folder declares (template.yaml `kind`), marketing when it declares none. */
export function readTemplateKind(templatesDir: string, folder: string): TemplateKindRead {
  const file = join(templatesDir, folder, TEMPLATE_META_FILE);
  if (!existsSync(file)) return { ok: true, kind: 'marketing', file, declared: false };
  const parsed = parseYamlConfig(file, TemplateMetaSchema);
  return parsed.ok ? { ok: true, kind: parsed.data.kind, file, declared: true } : parsed;
}

export interface TemplateFile {
  path: string;
  source: string;
}

/** The files of one template folder, per locale and part; absent parts are simply missing. */
export type TemplateSources = Map<Locale, Partial<Record<TemplatePart, TemplateFile>>>;

export function readTemplateSources(templatesDir: string, folder: string): TemplateSources {
  const out: TemplateSources = new Map();
  const dir = join(templatesDir, folder);
  if (!existsSync(dir)) return out;
  for (const locale of SUPPORTED_LOCALES) {
    const parts: Partial<Record<TemplatePart, TemplateFile>> = {};
    for (const part of TEMPLATE_PARTS) {
      const path = join(dir, `${locale}.${part}`);
      if (existsSync(path)) parts[part] = { path, source: readFileSync(path, 'utf8') };
    }
    if (Object.keys(parts).length > 0) out.set(locale, parts);
  }
  return out;
}

/** Folders under config/templates/ (the layout excluded), for reporting templates no campaign uses. */
export function templateFolders(templatesDir: string): string[] {
  if (!existsSync(templatesDir)) return [];
  return readdirSync(templatesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== LAYOUT_FOLDER)
    .map((entry) => entry.name)
    .sort();
}

export interface RenderedEmail {
  locale: Locale;
  subject: string;
  html: string;
  text: string;
}

interface CompiledLocale {
  subject: CompiledTemplate;
  html: CompiledTemplate;
  text: CompiledTemplate;
}

export class TemplateNotFoundError extends Error {}

interface LoadedFolder {
  perLocale: Map<Locale, CompiledLocale>;
  kind: TemplateKind;
}

/**
 * The campaign templates of the given folders. Construct it once per process; each folder (and the layout) is read
 * and compiled the first time it is used, so a cold start reads no template and a sender reads only the campaigns
 * it sends. A folder without its fallback language, or a missing layout, throws when first used: `campaigns validate`
 * (at `cdk synth` and `npm start`) refuses both long before, so here they mean a broken deploy.
 */
export class CampaignTemplates {
  private readonly folders: ReadonlySet<string>;
  private readonly loaded = new Map<string, LoadedFolder>();
  private loadedLayout: { html: CompiledTemplate; text: CompiledTemplate } | undefined;

  constructor(
    private readonly templatesDir: string,
    folders: Iterable<string>,
    private readonly fallbackLocale: Locale,
    private readonly catalogs: Catalogs = loadCatalogs(join(dirname(templatesDir), 'messages')),
    private readonly checkRead: TemplateReadCheck = () => undefined,
  ) {
    this.folders = new Set(folders);
  }

  private get layout(): { html: CompiledTemplate; text: CompiledTemplate } {
    if (this.loadedLayout) return this.loadedLayout;
    const layout = readLayoutSources(this.templatesDir);
    if (!layout.html || !layout.txt) throw new TemplateNotFoundError(`${join(this.templatesDir, LAYOUT_FOLDER)}: layout.html and layout.txt are needed`);
    this.checkRead(layout.html.path, layout.html.source);
    this.checkRead(layout.txt.path, layout.txt.source);
    this.loadedLayout = { html: compileTemplate(layout.html.source, 'html'), text: compileTemplate(layout.txt.source, 'text') };
    return this.loadedLayout;
  }

  private folder(folder: string): LoadedFolder | undefined {
    const cached = this.loaded.get(folder);
    if (cached || !this.folders.has(folder)) return cached;
    const perLocale = new Map<Locale, CompiledLocale>();
    for (const [locale, parts] of readTemplateSources(this.templatesDir, folder)) {
      if (!parts.subject || !parts.html || !parts.txt) continue;
      for (const part of [parts.subject, parts.html, parts.txt]) this.checkRead(part.path, part.source);
      perLocale.set(locale, {
        subject: compileTemplate(parts.subject.source, 'text'),
        html: compileTemplate(parts.html.source, 'html'),
        text: compileTemplate(parts.txt.source, 'text'),
      });
    }
    if (!perLocale.has(this.fallbackLocale))
      throw new TemplateNotFoundError(`${join(this.templatesDir, folder)}: no complete ${this.fallbackLocale} template (subject, html, txt)`);
    const kind = readTemplateKind(this.templatesDir, folder);
    if (!kind.ok) throw new TemplateNotFoundError(kind.problems.map((p) => `${p.file}: ${p.key}: ${p.message}`).join('\n'));
    const loaded = { perLocale, kind: kind.kind };
    this.loaded.set(folder, loaded);
    return loaded;
  }

  /** What the folder declares itself to be (template.yaml); marketing unless it says service. */
  kindOf(folder: string): TemplateKind {
    return this.folder(folder)?.kind ?? 'marketing';
  }

  /** The language a recipient gets: theirs if the folder has it, else the fallback. */
  localeFor(folder: string, wanted: Locale | undefined): Locale {
    const perLocale = this.folder(folder)?.perLocale;
    return wanted !== undefined && perLocale?.has(wanted) ? wanted : this.fallbackLocale;
  }

  /** `extras.survey`: the campaign's one-click survey, added under the template's own text (html and plain text). */
  render(folder: string, wanted: Locale | undefined, context: TemplateContext, extras: { survey?: SurveyLinks | undefined } = {}): RenderedEmail {
    const perLocale = this.folder(folder)?.perLocale;
    if (!perLocale) throw new TemplateNotFoundError(`no templates loaded for "${folder}" under ${this.templatesDir}`);
    const locale = this.localeFor(folder, wanted);
    const template = perLocale.get(locale);
    if (!template) throw new TemplateNotFoundError(`no ${locale} template for "${folder}"`);
    // A subject is one header line: a newline in a value must never start a new header.
    const subject = template
      .subject(context)
      .replace(/[\r\n]+/g, ' ')
      .trim();
    const t = translator(this.catalogs, locale);
    // A service email is not there because of a yes to marketing, and its link stops every email, not only offers.
    const footer =
      this.kindOf(folder) === 'service'
        ? {
            reason: t.t('campaign.footer.serviceReason', { shop: context.shop.name }),
            unsubscribe: t.t('campaign.footer.stopAll'),
            oneClick: t.t('campaign.footer.stopAllText'),
          }
        : {
            reason: t.t('campaign.footer.reason', { shop: context.shop.name }),
            unsubscribe: t.t('campaign.footer.unsubscribe'),
            oneClick: t.t('campaign.footer.oneClick'),
          };
    const frame = { ...context, subject, lang: locale, dir: t.dir, footer };
    const survey = extras.survey ? surveyBlock(t, extras.survey) : undefined;
    return {
      locale,
      subject,
      html: this.layout.html({ ...frame, content: survey ? `${template.html(context)}\n${survey.html}` : template.html(context) }),
      text: this.layout.text({ ...frame, content: survey ? `${template.text(context).trim()}\n\n${survey.text}` : template.text(context).trim() }),
    };
  }
}
