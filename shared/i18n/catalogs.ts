import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as z from 'zod';
import { filesCheckedAtBuild } from '#shared/config/checked-at-build.ts';
import { ConfigError, configDir } from '#shared/config/load-yaml.ts';
import { isRecord } from '#shared/is-record.ts';
import { SUPPORTED_LOCALES, type Locale } from '#shared/locales.ts';

/**
 * Message catalogs: every user-facing string of pages and emails, one JSON file per language under
 * config/messages/. English is the reference: every other catalog must have exactly its keys and the same
 * `{placeholders}` in each message. Checked by `cdk synth` and, unless its marker vouches for these files, again at
 * cold start; a gap fails the start.
 */
export type MessageParams = Readonly<Record<string, string | number>>;
export type Catalog = ReadonlyMap<string, string>;
export type Catalogs = ReadonlyMap<Locale, Catalog>;

export const REFERENCE_LOCALE = 'en' satisfies Locale;

const MESSAGE_KEY = /^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9-]+)+$/;
const MAX_MESSAGE_LENGTH = 4000;

const CatalogFile = z.record(
  z.string().regex(MESSAGE_KEY, 'message keys look like "form.emailLabel" or "category.sleeping-bags"'),
  z.string().trim().min(1, 'must not be empty').max(MAX_MESSAGE_LENGTH),
);

/**
 * The rules of CatalogFile as one loop: every cold start checks five catalogs of ~500 messages, and zod's record
 * parse of them cost ~7 ms of init CPU (bench/cold-start.ts). A catalog this accepts, CatalogFile accepts unchanged
 * (it has no surrounding whitespace to trim); anything else goes through CatalogFile, which names each problem.
 */
function isCleanCatalog(json: unknown): json is Record<string, string> {
  if (!isRecord(json)) return false;
  for (const [key, message] of Object.entries(json)) {
    if (typeof message !== 'string' || !MESSAGE_KEY.test(key)) return false;
    const trimmed = message.trim();
    if (trimmed !== message || trimmed.length === 0 || trimmed.length > MAX_MESSAGE_LENGTH) return false;
  }
  return true;
}

/** Names of the `{placeholders}` in a message, sorted. */
export function placeholdersOf(message: string): string[] {
  return [...new Set([...message.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)].map((m) => m[1] ?? ''))].sort();
}

/** Every problem that makes a set of catalogs unusable, as "file: key: what is wrong" lines. Pure, for tests and tooling. */
export function catalogProblems(raw: ReadonlyMap<Locale, Record<string, string>>): string[] {
  const problems: string[] = [];
  const reference = raw.get(REFERENCE_LOCALE);
  if (!reference) return [`${REFERENCE_LOCALE}.json: the reference catalog is missing`];
  for (const locale of SUPPORTED_LOCALES) {
    const catalog = raw.get(locale);
    if (!catalog) {
      problems.push(`${locale}.json: catalog is missing`);
      continue;
    }
    if (locale === REFERENCE_LOCALE) continue;
    for (const [key, message] of Object.entries(reference)) {
      const translated = catalog[key];
      if (translated === undefined) {
        problems.push(`${locale}.json: ${key}: missing (add a translation of "${message}")`);
        continue;
      }
      const want = placeholdersOf(message).join(',');
      const got = placeholdersOf(translated).join(',');
      if (want !== got) problems.push(`${locale}.json: ${key}: has placeholders {${got}} but ${REFERENCE_LOCALE}.json has {${want}}`);
    }
    for (const key of Object.keys(catalog)) {
      if (!(key in reference)) problems.push(`${locale}.json: ${key}: not in ${REFERENCE_LOCALE}.json (remove it or add it there first)`);
    }
  }
  return problems;
}

/** Reads and checks config/messages/<locale>.json for every supported locale; throws ConfigError naming each problem. */
export function loadCatalogs(dir = join(configDir(), 'messages')): Catalogs {
  const raw = new Map<Locale, Record<string, string>>();
  const problems: string[] = [];
  for (const locale of SUPPORTED_LOCALES) {
    const file = join(dir, `${locale}.json`);
    if (!existsSync(file)) {
      problems.push(`${locale}.json: file not found in ${dir}`);
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push(`${locale}.json: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    if (isCleanCatalog(json)) {
      raw.set(locale, json);
      continue;
    }
    const parsed = CatalogFile.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${locale}.json: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
      continue;
    }
    raw.set(locale, parsed.data);
  }
  // Whether the translations line up with English was checked by `cdk synth` on exactly these files when the
  // config folder's marker lists their hashes (config-gate.ts): a cold start then skips the ~2,000-message comparison.
  const files = SUPPORTED_LOCALES.map((locale) => `${basename(dir)}/${locale}.json`);
  if (problems.length === 0 && !filesCheckedAtBuild(dirname(dir), files)) problems.push(...catalogProblems(raw));
  if (problems.length > 0) throw new ConfigError(`invalid message catalogs in ${dir}\n  ${problems.join('\n  ')}`);
  return new Map([...raw].map(([locale, messages]) => [locale, new Map(Object.entries(messages))]));
}

/** Locales written right to left. */
const RTL_LOCALES: ReadonlySet<Locale> = new Set<Locale>(['he']);

export interface Translator {
  readonly locale: Locale;
  readonly dir: 'ltr' | 'rtl';
  /** The message for a key with its `{placeholders}` filled in. Plain text: escape it where it goes into HTML (the `html` helper does). */
  t(key: string, params?: MessageParams): string;
  has(key: string): boolean;
}

/** Thrown when code asks for a message that is not in the catalogs — a programming error, caught by the tests that render every page. */
export class MissingMessageError extends Error {}

/**
 * First Strong Isolate … Pop Directional Isolate: in a right-to-left message, a left-to-right value (a shop name,
 * a code, an amount) is laid out on its own, so "ל-{shop}" keeps the prefix next to the name instead of the bidi
 * algorithm moving the hyphen and the words around it.
 */
const FSI = '\u2068';
const PDI = '\u2069';

export function translator(catalogs: Catalogs, locale: Locale): Translator {
  const catalog = catalogs.get(locale) ?? catalogs.get(REFERENCE_LOCALE);
  if (!catalog) throw new MissingMessageError(`No catalog for ${locale}`);
  const rtl = RTL_LOCALES.has(locale);
  return {
    locale,
    dir: rtl ? 'rtl' : 'ltr',
    has: (key) => catalog.has(key),
    t: (key, params = {}) => {
      const message = catalog.get(key);
      if (message === undefined) throw new MissingMessageError(`Message "${key}" is not in config/messages/${locale}.json`);
      return message.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (_, name: string) => {
        const value = params[name];
        if (value === undefined) throw new MissingMessageError(`Message "${key}" needs the parameter {${name}}`);
        return rtl ? `${FSI}${String(value)}${PDI}` : String(value);
      });
    },
  };
}
