import { nearestSupportedLocale, type Locale } from '#shared/locales.ts';

/** Where the page's language came from — useful in tests and logs. */
export type LocaleSource = 'override' | 'order' | 'accept-language' | 'default';

export interface LocaleChoice {
  locale: Locale;
  source: LocaleSource;
  /** The `?lang=` override was given but names no supported language. */
  unsupportedOverride: boolean;
}

/**
 * Picks the page language: an explicit `?lang=` override wins (the customer chose it), then the order's locale,
 * then the browser's Accept-Language, then the shop's default.
 */
export function resolveLocale(sources: {
  override?: string | undefined;
  order?: string | undefined;
  acceptLanguage?: string | undefined;
  fallback: Locale;
}): LocaleChoice {
  const override = sources.override === undefined || sources.override === '' ? undefined : nearestSupportedLocale(sources.override);
  const unsupportedOverride = sources.override !== undefined && sources.override !== '' && override === undefined;
  if (override) return { locale: override, source: 'override', unsupportedOverride };
  const order = nearestSupportedLocale(sources.order);
  if (order) return { locale: order, source: 'order', unsupportedOverride };
  const accepted = preferredFromAcceptLanguage(sources.acceptLanguage);
  if (accepted) return { locale: accepted, source: 'accept-language', unsupportedOverride };
  return { locale: sources.fallback, source: 'default', unsupportedOverride };
}

/** The supported language the browser prefers most (RFC 9110 quality values; ties keep header order). */
export function preferredFromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranges = header
    .slice(0, 1000)
    .split(',')
    .slice(0, 40)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { tag: tag.trim(), quality: Number.isFinite(quality) && quality >= 0 && quality <= 1 ? quality : 0, index };
    })
    .filter((range) => range.quality > 0 && range.tag !== '*' && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(range.tag))
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const range of ranges) {
    const locale = nearestSupportedLocale(range.tag);
    if (locale) return locale;
  }
  return undefined;
}
