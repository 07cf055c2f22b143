/** Languages the form and emails are written in. Hebrew is right-to-left. */
export const SUPPORTED_LOCALES = ['en', 'is', 'da', 'he', 'fi'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];

export function isSupportedLocale(value: string): value is Locale {
  return SUPPORTED_LOCALES.some((l) => l === value);
}

/** Canonical BCP 47 form of a language tag (e.g. "is-is" → "is-IS"), or undefined if it is not a valid tag. */
export function canonicalLanguageTag(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** The supported language closest to a BCP 47 tag ("is-IS" → "is", "nb" → undefined). */
export function nearestSupportedLocale(tag: string | undefined): Locale | undefined {
  if (!tag) return undefined;
  const primary = tag.toLowerCase().split('-')[0] ?? '';
  // "iw" is the legacy code for Hebrew that some clients still send.
  const normalized = primary === 'iw' ? 'he' : primary;
  return isSupportedLocale(normalized) ? normalized : undefined;
}
