import { describe, expect, it } from 'vitest';
import { convertMinorUnits, isKnownCurrency, minorUnitDigits, toMinorUnits } from '#shared/money.ts';

describe('money in minor units', () => {
  it('knows how many decimals each currency uses', () => {
    expect(minorUnitDigits('EUR')).toBe(2);
    expect(minorUnitDigits('ISK')).toBe(0);
    expect(minorUnitDigits('KWD')).toBe(3);
  });

  it("gives every currency ICU knows the digits ICU gives it (the table is fixed so stored amounts keep their meaning; this tells when ICU's data moves)", () => {
    const differing = Intl.supportedValuesOf('currency').filter(
      (code) => minorUnitDigits(code) !== new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits,
    );
    expect(differing).toEqual([]);
  });

  it('converts decimal amounts to exact integer minor units', () => {
    expect(toMinorUnits(19.99, 'EUR')).toBe(1999);
    expect(toMinorUnits(0.1 + 0.2, 'EUR')).toBe(30);
    expect(toMinorUnits(-5.5, 'EUR')).toBe(-550);
    expect(toMinorUnits(14990, 'ISK')).toBe(14990);
  });

  it('rejects amounts more precise than the currency allows', () => {
    expect(toMinorUnits(10.005, 'EUR')).toBeUndefined();
    expect(toMinorUnits(10.5, 'ISK')).toBeUndefined();
  });

  it('converts between currencies at a fixed rate, rounding half away from zero', () => {
    expect(convertMinorUnits(10000, 'ISK', 'EUR', 0.0069)).toBe(6900);
    expect(convertMinorUnits(-10000, 'ISK', 'EUR', 0.0069)).toBe(-6900);
    expect(convertMinorUnits(1, 'DKK', 'EUR', 0.5)).toBe(1);
    expect(convertMinorUnits(1234, 'EUR', 'EUR', 1)).toBe(1234);
  });

  it('recognises ISO 4217 codes only', () => {
    expect(isKnownCurrency('EUR')).toBe(true);
    expect(isKnownCurrency('XYZ')).toBe(false);
  });
});
