import { captureEmailTags } from '#shared/measurement/email-tags.ts';
import type { Translator } from '#shared/i18n/catalogs.ts';
import { formatDate } from '#shared/i18n/format.ts';
import { html, type SafeHtml } from '#shared/i18n/html.ts';
import type { OutgoingEmail } from '#shared/email/send-email.ts';
import { codeLabel, describeOffer, offerOfIncentive } from '#shared/capture/describe-incentive.ts';
import type { IssuedIncentive } from '#shared/capture/issue-incentive.ts';
import type { OrderView } from '#shared/capture/order-context.ts';

/** A plain, client-safe email layout (inline styles, no external assets), in the reader's language and direction. */
function layout(t: Translator, shopName: string, content: SafeHtml): string {
  return html`<!doctype html>
<html lang="${t.locale}" dir="${t.dir}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${shopName}</title></head>
<body style="margin:0;padding:0;background:#f6f8fa;">
<div style="max-width:36rem;margin:0 auto;padding:24px 16px;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1b1f24;text-align:start;" dir="${t.dir}">
<p style="font-weight:700;font-size:18px;margin:0 0 16px;">${shopName}</p>
<div style="background:#ffffff;border:1px solid #d0d7de;border-radius:12px;padding:24px;">
${content}
</div>
<p style="color:#57606a;font-size:13px;margin:16px 0 0;">${t.t('email.footer', { shop: shopName })}</p>
</div>
</body>
</html>
`.value;
}

function greeting(t: Translator, name: string | undefined): string {
  return name ? t.t('email.greeting', { name }) : t.t('email.greetingNoName');
}

export interface OptInEmailInput {
  to: string;
  /** Whose email it is: tagged on the message so a bounce or complaint finds the profile. */
  customerId: string;
  shopName: string;
  confirmUrl: string;
  /** One sentence describing the reward. */
  offer: string;
  /** ISO time the link stops working. */
  expiresAt: string;
}

/**
 * The double opt-in email: confirm your address to receive the reward. It greets without a name: the name is free
 * text typed by whoever holds the form link, and this email goes to an address nobody has confirmed yet.
 */
export function optInEmail(t: Translator, input: OptInEmailInput): OutgoingEmail {
  const expiry = t.t('email.optIn.expiry', { date: formatDate(input.expiresAt, t.locale) });
  const content = html`<p style="margin:0 0 12px;">${greeting(t, undefined)}</p>
<p style="margin:0 0 12px;">${t.t('email.optIn.body', { reward: input.offer })}</p>
<p style="margin:24px 0;"><a href="${input.confirmUrl}" style="display:inline-block;background:#0b5cad;color:#ffffff;text-decoration:none;font-weight:700;padding:12px 20px;border-radius:8px;">${t.t('email.optIn.button')}</a></p>
<p style="margin:0 0 12px;color:#57606a;font-size:14px;">${t.t('email.optIn.fallback')}<br><a href="${input.confirmUrl}" style="color:#0b5cad;word-break:break-all;" dir="ltr">${input.confirmUrl}</a></p>
<p style="margin:0 0 12px;color:#57606a;font-size:14px;">${expiry}</p>
<p style="margin:0;color:#57606a;font-size:14px;">${t.t('email.optIn.ignore')}</p>`;
  const text = [
    greeting(t, undefined),
    '',
    t.t('email.optIn.body', { reward: input.offer }),
    '',
    `${t.t('email.optIn.button')}: ${input.confirmUrl}`,
    '',
    expiry,
    t.t('email.optIn.ignore'),
    '',
    t.t('email.footer', { shop: input.shopName }),
  ].join('\n');
  return {
    to: input.to,
    subject: t.t('email.optIn.subject', { shop: input.shopName }),
    html: layout(t, input.shopName, content),
    text,
    tags: captureEmailTags({ customerId: input.customerId, kind: 'opt-in' }),
  };
}

export interface IncentiveEmailInput {
  to: string;
  customerId: string;
  name: string | undefined;
  shopName: string;
  incentive: IssuedIncentive;
  order: OrderView | undefined;
  marketingEmail: boolean;
}

/** The reward email: what it is, the code, how long it is valid. */
export function incentiveEmail(t: Translator, input: IncentiveEmailInput): OutgoingEmail {
  const offer = describeOffer(t, offerOfIncentive(input.incentive, input.order));
  const label = codeLabel(t, input.incentive.type);
  const validity = input.incentive.validUntil ? t.t('incentive.validUntil', { date: formatDate(input.incentive.validUntil, t.locale) }) : undefined;
  const marketing = t.t(input.marketingEmail ? 'email.incentive.marketingYes' : 'email.incentive.marketingNo');
  const content = html`<p style="margin:0 0 12px;">${greeting(t, input.name)}</p>
<p style="margin:0 0 12px;">${t.t('email.incentive.body')}</p>
<p style="margin:0 0 12px;font-weight:700;">${offer}</p>
<p style="margin:16px 0 4px;color:#57606a;font-size:14px;">${label}</p>
<p style="margin:0 0 16px;font:700 22px/1.3 ui-monospace,Menlo,Consolas,monospace;letter-spacing:2px;padding:12px;border:2px dashed #0b5cad;border-radius:8px;text-align:center;" dir="ltr">${input.incentive.code}</p>
${validity ? html`<p style="margin:0 0 12px;color:#57606a;font-size:14px;">${validity}</p>` : ''}
<p style="margin:0;color:#57606a;font-size:14px;">${marketing}</p>`;
  const text = [
    greeting(t, input.name),
    '',
    t.t('email.incentive.body'),
    '',
    offer,
    '',
    `${label}: ${input.incentive.code}`,
    ...(validity ? [validity] : []),
    '',
    marketing,
    '',
    t.t('email.footer', { shop: input.shopName }),
  ].join('\n');
  return {
    to: input.to,
    subject: t.t('email.incentive.subject', { shop: input.shopName }),
    html: layout(t, input.shopName, content),
    text,
    tags: captureEmailTags({ customerId: input.customerId, kind: 'incentive' }),
  };
}
