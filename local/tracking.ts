/**
 * Open and click tracking for the local inbox, the way SES's configuration-set tracking does it in AWS: every
 * http(s) link in an email's HTML goes through `/_t/click/<token>` (a 302 to the real link) and an invisible
 * pixel `/_t/open/<token>.gif` is added. Tokens are HMAC-signed (shared/tokens/signed-token.ts), so a forged or
 * edited one is a 404. A link with the `ses:no-track` attribute is left alone, as SES does.
 */
import type { HttpReply } from '#local/api-gateway-event.ts';
import { signToken, verifyToken } from '#shared/tokens/signed-token.ts';

const CLICK = 'ses-click';
const OPEN = 'ses-open';
/** Long enough for any demo; the local inbox forgets messages on restart anyway. */
const TOKEN_DAYS = 400;
/** A 1×1 transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export type TrackedAction = { kind: 'open'; ref: string } | { kind: 'click'; ref: string; link: string };

/** Rewrites the HTML of one message (`ref` names it) so opens and clicks come back to `baseUrl`. */
export function trackHtml(html: string, ref: string, baseUrl: string, signingKey: string, now: Date): string {
  const exp = Math.floor(now.getTime() / 1000) + TOKEN_DAYS * 86_400;
  const tracked = html.replace(/<a\b[^>]*>/gi, (tag) => {
    if (/\bses:no-track\b/i.test(tag)) return tag;
    return tag.replace(/\bhref\s*=\s*"(https?:\/\/[^"]+)"/i, (_, href: string) => {
      const link = unescapeAttribute(href);
      return `href="${baseUrl}/_t/click/${signToken({ purpose: CLICK, sub: JSON.stringify([ref, link]), exp }, signingKey)}"`;
    });
  });
  const pixel = `<img src="${baseUrl}/_t/open/${signToken({ purpose: OPEN, sub: ref, exp }, signingKey)}.gif" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px;">`;
  return /<\/body>/i.test(tracked) ? tracked.replace(/<\/body>/i, `${pixel}</body>`) : `${tracked}${pixel}`;
}

/** The tracked action a `/_t/…` path stands for, or undefined when it is not one of ours (forged, edited, expired). */
export function trackedAction(rawPath: string, signingKey: string, now: Date): TrackedAction | undefined {
  const open = /^\/_t\/open\/([A-Za-z0-9_.-]+)\.gif$/.exec(rawPath);
  if (open?.[1]) {
    const check = verifyToken(open[1], OPEN, signingKey, now);
    return check.ok ? { kind: 'open', ref: check.claims.sub } : undefined;
  }
  const click = /^\/_t\/click\/([A-Za-z0-9_.-]+)$/.exec(rawPath);
  if (!click?.[1]) return undefined;
  const check = verifyToken(click[1], CLICK, signingKey, now);
  if (!check.ok) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(check.claims.sub);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string' || !/^https?:\/\//.test(parsed[1])) return undefined;
  return { kind: 'click', ref: parsed[0], link: parsed[1] };
}

/** Serves a tracking request: the pixel or the redirect. `record` emits the SES events. */
export function trackingReply(rawPath: string, signingKey: string, now: Date, record: (action: TrackedAction) => void): HttpReply | undefined {
  if (!rawPath.startsWith('/_t/')) return undefined;
  const action = trackedAction(rawPath, signingKey, now);
  if (!action) return { statusCode: 404, headers: [['content-type', 'text/plain; charset=utf-8']], body: Buffer.from('Not a tracking link of this inbox') };
  record(action);
  if (action.kind === 'open')
    return {
      statusCode: 200,
      headers: [
        ['content-type', 'image/gif'],
        ['cache-control', 'no-store'],
      ],
      body: PIXEL,
    };
  return {
    statusCode: 302,
    headers: [
      ['location', action.link],
      ['cache-control', 'no-store'],
    ],
    body: Buffer.alloc(0),
  };
}

function unescapeAttribute(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
