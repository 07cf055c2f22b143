/**
 * What the planner and the sender read once per cold start: the campaigns, their compiled templates, the send
 * policy and the shop. A broken campaigns.yaml or template fails the start, never a send.
 */
import { join } from 'node:path';
import { configCheckedAtBuild } from '#shared/config/checked-at-build.ts';
import { configDir } from '#shared/config/load-yaml.ts';
import { templateFolderOf, type Campaign, type CampaignsFile } from '#shared/campaigns/campaign-config.ts';
import { loadCampaignsFile } from '#shared/campaigns/campaign-triggers.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
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

export function loadSendingSettings(dir = configDir()): SendingSettings {
  // The same checks as `campaigns validate`: a template that would fail or print raw output stops the cold start.
  // Skipped when cdk synth ran them on exactly these files (its marker says so); parsing and compiling below remain.
  if (!configCheckedAtBuild(dir)) assertCampaignsValid(dir);
  const file = loadCampaignsFile(dir);
  const shop = loadShopConfig(dir);
  return {
    file,
    campaigns: new Map(file.campaigns.map((campaign) => [campaign.id, campaign])),
    templates: new CampaignTemplates(join(dir, 'templates'), new Set(file.campaigns.map(templateFolderOf)), file.defaults.fallbackLocale),
    policy: { frequencyCap: file.defaults.frequencyCap, quietHours: file.defaults.quietHours, shopTimeZone: file.defaults.timezone },
    shop,
  };
}
