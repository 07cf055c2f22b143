import { describe, expect, it } from 'vitest';
import { simulatorMailbox } from '#local/mailbox-simulator.ts';
import { trackedAction, trackHtml, trackingReply } from '#local/tracking.ts';

const KEY = 'tracking-test-key';
const now = new Date('2026-12-03T12:00:00Z');
const base = 'http://localhost:3000';

describe('local open and click tracking', () => {
  const html =
    '<html><body><a href="https://shop.example/tents?a=1&amp;b=2">Tents</a> <a ses:no-track href="https://shop.example/unsubscribe">Stop</a></body></html>';
  const tracked = trackHtml(html, 'ref-1', base, KEY, now);
  const clickPath = /href="http:\/\/localhost:3000(\/_t\/click\/[^"]+)"/.exec(tracked)?.[1] ?? '';
  const openPath = /src="http:\/\/localhost:3000(\/_t\/open\/[^"]+\.gif)"/.exec(tracked)?.[1] ?? '';

  it('routes each link through a signed click URL, leaves ses:no-track links alone and adds one open pixel', () => {
    expect(clickPath).not.toBe('');
    expect(tracked).toContain('href="https://shop.example/unsubscribe"');
    expect(tracked.match(/\/_t\/open\//g)).toHaveLength(1);
    expect(tracked.indexOf('/_t/open/')).toBeLessThan(tracked.indexOf('</body>'));
  });

  it('resolves a click to the original link (unescaped) and an open to its message', () => {
    expect(trackedAction(clickPath, KEY, now)).toEqual({ kind: 'click', ref: 'ref-1', link: 'https://shop.example/tents?a=1&b=2' });
    expect(trackedAction(openPath, KEY, now)).toEqual({ kind: 'open', ref: 'ref-1' });
  });

  it('answers a forged or re-keyed token with 404 and records nothing', () => {
    const recorded: unknown[] = [];
    const forged = clickPath.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect(trackingReply(forged, KEY, now, (a) => recorded.push(a))?.statusCode).toBe(404);
    expect(trackingReply(clickPath, 'another-key', now, (a) => recorded.push(a))?.statusCode).toBe(404);
    expect(recorded).toEqual([]);
    const reply = trackingReply(clickPath, KEY, now, (a) => recorded.push(a));
    expect(reply?.statusCode).toBe(302);
    expect(reply?.headers).toContainEqual(['location', 'https://shop.example/tents?a=1&b=2']);
    expect(recorded).toHaveLength(1);
  });

  it('knows the SES mailbox simulator addresses, with or without a +label', () => {
    expect(simulatorMailbox('bounce@simulator.amazonses.com')).toBe('bounce');
    expect(simulatorMailbox('Complaint+demo1@Simulator.AmazonSES.com')).toBe('complaint');
    expect(simulatorMailbox('suppressionlist+x@simulator.amazonses.com')).toBe('suppressionlist');
    expect(simulatorMailbox('bounce@example.com')).toBeUndefined();
    expect(simulatorMailbox('someone@simulator.amazonses.com')).toBeUndefined();
  });
});
