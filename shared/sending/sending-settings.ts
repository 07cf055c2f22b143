/**
 * What the planner and the sender read once per cold start: the campaigns (both), their compiled templates, the send
 * policy and the shop (the sender). A broken campaigns.yaml or template fails the start, never a send.
 */
import { join } from 'node:path';
import { configListedAtBuild, contentCheckedAtBuild, relativePath } from '#shared/config/checked-at-build.ts';
import { configDir } from '#shared/config/load-yaml.ts';
import { templateFolderOf, type Campaign, type CampaignsFile } from '#shared/campaigns/campaign-config.ts';
import { loadCampaignsFile } from '#shared/campaigns/campaign-triggers.ts';
import { CampaignTemplates, type TemplateReadCheck } from '#shared/campaigns/email-templates.ts';
import { assertCampaignsValid } from '#shared/campaigns/validate-campaigns.ts';
import type { SendPolicy } from '#shared/campaigns/send-policy.ts';
import { loadShopConfig, type ShopConfig } from '#shared/config/shop-config.ts';

export interface SendingSettings {
  file: CampaignsFile;
  campaigns: ReadonlyMap<string, Campaign>;
  templates: CampaignTemplates;
  policy: SendPolicy;
  shop: ShopConfig;
}

/** What the planner reads: the campaigns, checked as `campaigns validate` checks them. It renders nothing, so it compiles no template. */
export type PlanningSettings = Pick<SendingSettings, 'file' | 'campaigns'>;

export function loadPlanningSettings(dir = configDir()): PlanningSettings {
  const { file, campaigns } = checkedCampaigns(dir);
  return { file, campaigns };
}

/**
 * The same checks as `campaigns validate`: a template that would fail or print raw output stops the cold start.
 * Skipped when cdk synth ran them on files of these names (its marker lists exactly the files present); then each file
 * a function reads is checked against the marker's hash as it is read (campaigns.yaml here, each template folder when
 * the sender first renders it), and one that differs runs the full checks after all.
 */
function checkedCampaigns(dir: string): PlanningSettings & { checkTemplateRead: TemplateReadCheck } {
  const skipped = configListedAtBuild(dir);
  if (!skipped) assertCampaignsValid(dir);
  let checkedAfterAll = !skipped;
  const checkTemplateRead: TemplateReadCheck = (path, source) => {
    if (checkedAfterAll || contentCheckedAtBuild(dir, relativePath(dir, path), source)) return;
    assertCampaignsValid(dir);
    checkedAfterAll = true;
  };
  const file = loadCampaignsFile(dir);
  return { file, campaigns: new Map(file.campaigns.map((campaign) => [campaign.id, campaign])), checkTemplateRead };
}

export function loadSendingSettings(dir = configDir()): SendingSettings {
  const { file, campaigns, checkTemplateRead } = checkedCampaigns(dir);
  const shop = loadShopConfig(dir);
  const folders = new Set(file.campaigns.map(templateFolderOf));
  return {
    file,
    campaigns,
    templates: new CampaignTemplates(join(dir, 'templates'), folders, file.defaults.fallbackLocale, undefined, checkTemplateRead),
    policy: { frequencyCap: file.defaults.frequencyCap, quietHours: file.defaults.quietHours, shopTimeZone: file.defaults.timezone },
    shop,
  };
}
