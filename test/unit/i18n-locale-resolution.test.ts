import { describe, expect, it } from 'vitest';
import { preferredFromAcceptLanguage, resolveLocale } from '#shared/i18n/locale-resolution.ts';

describe('resolveLocale', () => {
  it('uses the order locale when nothing overrides it', () => {
    expect(resolveLocale({ order: 'is-IS', acceptLanguage: 'da', fallback: 'en' })).toEqual({ locale: 'is', source: 'order', unsupportedOverride: false });
  });

  it('lets an explicit ?lang= override the order locale (the language switcher)', () => {
    expect(resolveLocale({ override: 'he', order: 'is', acceptLanguage: 'da', fallback: 'en' })).toEqual({
      locale: 'he',
      source: 'override',
      unsupportedOverride: false,
    });
  });

  it('falls back to Accept-Language when the order has no supported locale', () => {
    expect(resolveLocale({ order: 'nb-NO', acceptLanguage: 'de-DE,fi;q=0.8,da;q=0.5', fallback: 'en' })).toEqual({
      locale: 'fi',
      source: 'accept-language',
      unsupportedOverride: false,
    });
  });

  it('falls back to the shop default when nothing else names a supported language', () => {
    expect(resolveLocale({ acceptLanguage: 'de, fr;q=0.9', fallback: 'da' })).toEqual({ locale: 'da', source: 'default', unsupportedOverride: false });
  });

  it('flags an unknown ?lang= and carries on with the next source', () => {
    expect(resolveLocale({ override: 'tlh', order: 'fi', fallback: 'en' })).toEqual({ locale: 'fi', source: 'order', unsupportedOverride: true });
  });

  it('treats an empty ?lang= as absent', () => {
    expect(resolveLocale({ override: '', acceptLanguage: 'he-IL', fallback: 'en' })).toEqual({
      locale: 'he',
      source: 'accept-language',
      unsupportedOverride: false,
    });
  });
});

describe('preferredFromAcceptLanguage', () => {
  it('orders ranges by quality, keeping header order on ties', () => {
    expect(preferredFromAcceptLanguage('da;q=0.5, is;q=0.9, fi;q=0.9')).toBe('is');
  });

  it('ignores q=0, wildcards and malformed ranges', () => {
    expect(preferredFromAcceptLanguage('is;q=0, *, <script>, fi;q=0.1')).toBe('fi');
  });

  it('maps the legacy Hebrew code iw to he', () => {
    expect(preferredFromAcceptLanguage('iw-IL')).toBe('he');
  });

  it('returns undefined for a header with no supported language', () => {
    expect(preferredFromAcceptLanguage('de-CH, fr')).toBeUndefined();
  });
});
