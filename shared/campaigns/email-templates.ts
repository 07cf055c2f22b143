/**
 * Campaign emails on disk: config/templates/<folder>/<locale>.subject|.html|.txt, wrapped in the shared layout
 * config/templates/_layout/<locale>.html|.txt (header, footer, unsubscribe link). Read and compiled once at cold
 * start; rendering picks the recipient's language or the campaign's fallback language.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUPPORTED_LOCALES, type Locale } from '#shared/locales.ts';
import { compileTemplate, type CompiledTemplate } from '#shared/campaigns/template-engine.ts';
import type { TemplateContext } from '#shared/campaigns/template-variables.ts';

export const TEMPLATE_PARTS = ['subject', 'html', 'txt'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];
export const LAYOUT_FOLDER = '_layout';

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

/**
 * All campaign templates, compiled. Construct it once per process; `render` is pure string work.
 * Throws at construction if a folder lacks its fallback language or the layout is missing: those are
 * caught by `campaigns validate` long before, so here they mean a broken deploy and must stop the start.
 */
export class CampaignTemplates {
  private readonly compiled = new Map<string, Map<Locale, CompiledLocale>>();
  private readonly layouts = new Map<Locale, { html: CompiledTemplate; text: CompiledTemplate }>();

  constructor(
    private readonly templatesDir: string,
    folders: Iterable<string>,
    private readonly fallbackLocale: Locale,
  ) {
    const layout = readTemplateSources(templatesDir, LAYOUT_FOLDER);
    for (const [locale, parts] of layout) {
      if (parts.html && parts.txt) this.layouts.set(locale, { html: compileTemplate(parts.html.source, 'html'), text: compileTemplate(parts.txt.source, 'text') });
    }
    if (!this.layouts.has(fallbackLocale)) throw new TemplateNotFoundError(`${join(templatesDir, LAYOUT_FOLDER)}: no ${fallbackLocale}.html + ${fallbackLocale}.txt layout`);
    for (const folder of folders) {
      const perLocale = new Map<Locale, CompiledLocale>();
      for (const [locale, parts] of readTemplateSources(templatesDir, folder)) {
        if (!parts.subject || !parts.html || !parts.txt) continue;
        perLocale.set(locale, { subject: compileTemplate(parts.subject.source, 'text'), html: compileTemplate(parts.html.source, 'html'), text: compileTemplate(parts.txt.source, 'text') });
      }
      if (!perLocale.has(fallbackLocale)) throw new TemplateNotFoundError(`${join(templatesDir, folder)}: no complete ${fallbackLocale} template (subject, html, txt)`);
      this.compiled.set(folder, perLocale);
    }
  }

  /** The language a recipient gets: theirs if the folder has it, else the fallback. */
  localeFor(folder: string, wanted: Locale | undefined): Locale {
    const perLocale = this.compiled.get(folder);
    return wanted !== undefined && perLocale?.has(wanted) ? wanted : this.fallbackLocale;
  }

  render(folder: string, wanted: Locale | undefined, context: TemplateContext): RenderedEmail {
    const perLocale = this.compiled.get(folder);
    if (!perLocale) throw new TemplateNotFoundError(`no templates loaded for "${folder}" under ${this.templatesDir}`);
    const locale = this.localeFor(folder, wanted);
    const template = perLocale.get(locale);
    const layout = this.layouts.get(locale) ?? this.layouts.get(this.fallbackLocale);
    if (!template || !layout) throw new TemplateNotFoundError(`no ${locale} template for "${folder}"`);
    // A subject is one header line: a newline in a value must never start a new header.
    const subject = template.subject(context).replace(/[\r\n]+/g, ' ').trim();
    const frame = { ...context, subject, lang: locale, dir: locale === 'he' ? 'rtl' : 'ltr' };
    return {
      locale,
      subject,
      html: layout.html({ ...frame, content: template.html(context) }),
      text: layout.text({ ...frame, content: template.text(context).trim() }),
    };
  }
}
