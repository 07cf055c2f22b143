import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogProblems, loadCatalogs, placeholdersOf, translator } from '#shared/i18n/catalogs.ts';
import { SUPPORTED_LOCALES, type Locale } from '#shared/locales.ts';
import { ITEM_KINDS } from '#shared/privacy/item-kinds.ts';

const messagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'messages');

function readCatalog(locale: Locale): Record<string, string> {
  const json: unknown = JSON.parse(readFileSync(join(messagesDir, `${locale}.json`), 'utf8'));
  if (typeof json !== 'object' || json === null) throw new Error(`${locale}.json is not an object`);
  return Object.fromEntries(Object.entries(json).map(([key, value]) => [key, String(value)]));
}

const reference = readCatalog('en');

describe('message catalogs', () => {
  it.each(SUPPORTED_LOCALES.filter((l) => l !== 'en'))('%s has exactly the keys of en.json', (locale) => {
    expect(Object.keys(readCatalog(locale)).sort()).toEqual(Object.keys(reference).sort());
  });

  it.each(SUPPORTED_LOCALES.filter((l) => l !== 'en'))('%s uses the same {placeholders} as en.json in every message', (locale) => {
    const catalog = readCatalog(locale);
    const mismatches = Object.entries(reference).filter(([key, message]) => placeholdersOf(message).join() !== placeholdersOf(catalog[key] ?? '').join());
    expect(mismatches).toEqual([]);
  });

  it.each(SUPPORTED_LOCALES.filter((l) => l !== 'en'))('%s is a translation, not a copy of English', (locale) => {
    const catalog = readCatalog(locale);
    // Number ranges ("18–24") and names ("Navigation" in Danish) may be the same; whole sentences may not.
    const copied = Object.entries(reference).filter(([key, message]) => message.includes(' ') && message.length > 20 && catalog[key] === message);
    expect(copied).toEqual([]);
  });

  it("names every kind of personal item in the console's erasure plan, in English (and so, by the tests above, in every language)", () => {
    expect(Object.keys(ITEM_KINDS).filter((kind) => reference[`console.privacy.kind.${kind}`] === undefined)).toEqual([]);
  });

  it('loads every catalog through the same checks as a cold start', () => {
    const catalogs = loadCatalogs(messagesDir);
    expect([...catalogs.keys()].sort()).toEqual([...SUPPORTED_LOCALES].sort());
  });

  it('loads a catalog file with the rules of its schema: messages trimmed, a bad key, an empty or a non-text message named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kinship-catalogs-'));
    try {
      for (const locale of SUPPORTED_LOCALES) writeFileSync(join(dir, `${locale}.json`), JSON.stringify(readCatalog(locale)));
      writeFileSync(join(dir, 'is.json'), JSON.stringify({ ...readCatalog('is'), 'form.submit': '  Senda svörin  ' }));
      expect(translator(loadCatalogs(dir), 'is').t('form.submit')).toBe('Senda svörin');
      writeFileSync(join(dir, 'da.json'), JSON.stringify({ ...readCatalog('da'), 'form.submit': '   ', 'Bad Key': 'x', 'form.title': 7 }));
      const problems = (() => {
        try {
          loadCatalogs(dir);
          return '';
        } catch (error) {
          return error instanceof Error ? error.message : String(error);
        }
      })();
      expect(problems).toContain('da.json: form.submit: must not be empty');
      expect(problems).toContain('da.json: Bad Key: Invalid key in record');
      expect(problems).toContain('da.json: form.title: Invalid input: expected string, received number');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing key and a placeholder mismatch, naming the file and key', () => {
    const raw = new Map<Locale, Record<string, string>>(SUPPORTED_LOCALES.map((l) => [l, { ...reference }]));
    const broken = { ...reference, 'page.rateLimited.body': 'Bíddu {sekundur}.' };
    Reflect.deleteProperty(broken, 'form.submit');
    raw.set('is', broken);
    expect(catalogProblems(raw)).toEqual([
      'is.json: form.submit: missing (add a translation of "Send my answers")',
      'is.json: page.rateLimited.body: has placeholders {sekundur} but en.json has {seconds}',
    ]);
  });

  it('marks Hebrew right-to-left and the others left-to-right', () => {
    const catalogs = loadCatalogs(messagesDir);
    expect(SUPPORTED_LOCALES.map((l) => [l, translator(catalogs, l).dir])).toEqual([
      ['en', 'ltr'],
      ['is', 'ltr'],
      ['da', 'ltr'],
      ['he', 'rtl'],
      ['fi', 'ltr'],
    ]);
  });

  it('isolates values inside right-to-left messages, so a Latin shop name keeps its place', () => {
    const catalogs = loadCatalogs(messagesDir);
    expect(translator(catalogs, 'he').t('form.title', { shop: 'Norðurljós Outdoor' })).toBe('ספרו ל-\u2068Norðurljós Outdoor\u2069 על הרכישה שלכם');
    expect(translator(catalogs, 'da').t('form.title', { shop: 'Norðurljós Outdoor' })).toBe('Fortæl Norðurljós Outdoor om dit køb');
  });

  it('fills placeholders and refuses a missing parameter', () => {
    const t = translator(loadCatalogs(messagesDir), 'is');
    expect(t.t('page.rateLimited.body', { seconds: 30 })).toBe('Vinsamlegast bíddu í 30 sekúndur og reyndu aftur.');
    expect(() => t.t('page.rateLimited.body')).toThrow(/seconds/);
  });
});
