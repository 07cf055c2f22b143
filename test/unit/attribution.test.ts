import { describe, expect, it } from 'vitest';
import { ATTRIBUTION_DEFAULTS } from '#shared/campaigns/attribution-config.ts';
import { attributePurchase, touchOf, type EmailTouch } from '#shared/measurement/attribution.ts';

const purchasedAt = '2026-11-20T12:00:00.000Z';
const DAY = 86_400_000;
const daysBefore = (days: number) => new Date(Date.parse(purchasedAt) - days * DAY).toISOString();
const aTouch = (campaignId: string, at: string): EmailTouch => ({ at, campaignId, occurrenceId: `${campaignId}-occ`, messageId: `msg-${campaignId}` });
const windows = { ...ATTRIBUTION_DEFAULTS };

describe('attributePurchase', () => {
  it("credits the campaign clicked 2 days before the purchase, with the order's revenue", () => {
    expect(attributePurchase({ click: aTouch('win-back', daysBefore(2)) }, purchasedAt, 12_500, windows)).toEqual({
      campaignId: 'win-back',
      occurrenceId: 'win-back-occ',
      messageId: 'msg-win-back',
      touch: 'click',
      touchedAt: daysBefore(2),
      revenueMinor: 12_500,
    });
  });

  it('does not credit a click 10 days before the purchase', () => {
    expect(attributePurchase({ click: aTouch('win-back', daysBefore(10)) }, purchasedAt, 12_500, windows)).toBeUndefined();
  });

  it('prefers a click within its window over a more recent open', () => {
    const touches = { click: aTouch('clicked', daysBefore(4)), open: aTouch('opened', daysBefore(0.5)), delivery: aTouch('delivered', daysBefore(0.1)) };
    expect(attributePurchase(touches, purchasedAt, 100, windows)).toMatchObject({ campaignId: 'clicked', touch: 'click' });
  });

  it('falls back to an open 1 day before when the click is too old', () => {
    const touches = { click: aTouch('clicked', daysBefore(6)), open: aTouch('opened', daysBefore(1)) };
    expect(attributePurchase(touches, purchasedAt, 100, windows)).toMatchObject({ campaignId: 'opened', touch: 'open', touchedAt: daysBefore(1) });
  });

  it('falls back to a delivery within a day, and credits nothing for a delivery beyond it', () => {
    expect(
      attributePurchase({ open: aTouch('opened', daysBefore(3)), delivery: aTouch('delivered', daysBefore(0.9)) }, purchasedAt, 100, windows),
    ).toMatchObject({ campaignId: 'delivered', touch: 'delivery' });
    expect(
      attributePurchase({ open: aTouch('opened', daysBefore(3)), delivery: aTouch('delivered', daysBefore(1.1)) }, purchasedAt, 100, windows),
    ).toBeUndefined();
  });

  it('ignores a touch after the purchase (an order reported late) and tries the next kind', () => {
    const touches = { click: aTouch('later', new Date(Date.parse(purchasedAt) + 3_600_000).toISOString()), open: aTouch('opened', daysBefore(1)) };
    expect(attributePurchase(touches, purchasedAt, 100, windows)).toMatchObject({ campaignId: 'opened', touch: 'open' });
  });

  it('follows configured windows, and a window of 0 turns that kind off', () => {
    const touches = { click: aTouch('clicked', daysBefore(8)), open: aTouch('opened', daysBefore(1)) };
    expect(attributePurchase(touches, purchasedAt, 100, { ...windows, clickWindowDays: 10 })).toMatchObject({ touch: 'click' });
    expect(attributePurchase(touches, purchasedAt, 100, { ...windows, clickWindowDays: 10, openWindowDays: 0 })).toMatchObject({ touch: 'click' });
    expect(attributePurchase({ open: aTouch('opened', daysBefore(1)) }, purchasedAt, 100, { ...windows, openWindowDays: 0 })).toBeUndefined();
  });

  it('never attributes a refund or a zero order', () => {
    const touches = { click: aTouch('clicked', daysBefore(1)) };
    expect(attributePurchase(touches, purchasedAt, -5_000, windows)).toBeUndefined();
    expect(attributePurchase(touches, purchasedAt, 0, windows)).toBeUndefined();
  });
});

describe('touchOf', () => {
  it('reads a profile touch and treats anything malformed as no touch', () => {
    const touch = aTouch('welcome', daysBefore(1));
    expect(touchOf(touch)).toEqual(touch);
    expect(touchOf({ ...touch, at: 'yesterday' })).toBeUndefined();
    expect(touchOf({ at: touch.at, campaignId: 'welcome' })).toBeUndefined();
    expect(touchOf(undefined)).toBeUndefined();
  });
});
