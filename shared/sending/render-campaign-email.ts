/**
 * One campaign email, ready for SES: the recipient's language (or the fallback), the template with the profile's
 * variables, the coupon and survey links, the unsubscribe link and headers, and the tags that name its claim.
 */
import type { Campaign } from '#shared/campaigns/campaign-config.ts';
import { templateFolderOf } from '#shared/campaigns/campaign-config.ts';
import type { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { buildTemplateContext } from '#shared/campaigns/template-variables.ts';
import type { OutgoingEmail } from '#shared/email/send-email.ts';
import { formatMoney, formatPercent } from '#shared/i18n/format.ts';
import { nearestSupportedLocale, type Locale } from '#shared/locales.ts';
import { campaignEmailTags } from '#shared/measurement/email-tags.ts';
import { toMinorUnits } from '#shared/money.ts';
import type { CustomerProfile } from '#shared/profiles/customer-profile.ts';
import type { SendRequest } from '#shared/sending/send-request.ts';
import { listUnsubscribeHeaders, unsubscribeUrl } from '#shared/sending/unsubscribe-link.ts';
import type { SurveyLinks } from '#shared/survey/survey-block.ts';
import { surveyUrl } from '#shared/survey/survey-link.ts';

export interface RenderDeps {
  templates: CampaignTemplates;
  shop: { name: string; url: string; baseCurrency: string };
  publicBaseUrl: string;
  signingKey: string;
}

export interface CampaignEmailInput {
  campaign: Campaign;
  request: SendRequest;
  profile: CustomerProfile;
  address: string;
  couponCode: string | undefined;
  now: Date;
}

export function renderCampaignEmail(deps: RenderDeps, input: CampaignEmailInput): { locale: Locale; email: OutgoingEmail } {
  const { campaign, profile, request, now, couponCode } = input;
  const locale = deps.templates.localeFor(templateFolderOf(campaign), nearestSupportedLocale(profile.locale));
  // A marketing email's link (and RFC 8058 one-click header) withdraws marketing consent. A service email is one
  // person's own business, not bulk mail: no List-Unsubscribe header, and its footer link stops every email.
  const service = campaign.purpose === 'service';
  const url = unsubscribeUrl(
    deps.publicBaseUrl,
    deps.signingKey,
    { customerId: request.customerId, campaignId: campaign.id, scope: service ? 'all' : 'marketing', occurrenceId: request.occurrenceId },
    now,
  );
  const rendered = deps.templates.render(
    templateFolderOf(campaign),
    locale,
    buildTemplateContext({
      profile,
      locale,
      shop: deps.shop,
      campaignId: campaign.id,
      unsubscribeUrl: url,
      coupon:
        campaign.coupon && couponCode
          ? {
              code: couponCode,
              discount: discountText(campaign.coupon.discount, deps.shop.baseCurrency, locale),
              expiresAt: new Date(now.getTime() + campaign.coupon.validDays * 86_400_000).toISOString(),
              appliesTo: campaign.coupon.appliesTo.join(', '),
            }
          : undefined,
    }),
    { survey: surveyLinks(deps, campaign, request, now) },
  );
  return {
    locale,
    email: {
      to: input.address,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      headers: service ? [] : listUnsubscribeHeaders(url),
      tags: campaignEmailTags({ campaignId: campaign.id, occurrenceId: request.occurrenceId, customerId: request.customerId, kind: campaign.purpose }),
    },
  };
}

/** One signed link per answer of the campaign's survey, each naming this email (campaign, occurrence, customer). */
function surveyLinks(deps: RenderDeps, campaign: Campaign, request: SendRequest, now: Date): SurveyLinks | undefined {
  if (campaign.kind !== 'triggered' || !campaign.survey) return undefined;
  return {
    choices: campaign.survey.choices,
    urlFor: (choice) =>
      surveyUrl(
        deps.publicBaseUrl,
        deps.signingKey,
        { customerId: request.customerId, campaignId: campaign.id, occurrenceId: request.occurrenceId, choice },
        now,
      ),
  };
}

function discountText(discount: { percent: number } | { amount: number }, currency: string, locale: Locale): string {
  if ('percent' in discount) return formatPercent(discount.percent, locale);
  return formatMoney(toMinorUnits(discount.amount, currency) ?? 0, currency, locale);
}
