/**
 * What the sender reads once per cold start: the campaigns, their templates (each folder compiled at its first use),
 * the send policy and the shop. A broken campaigns.yaml fails the start, never a send.
 */
import { join } from 'node:path';
import { configDir } from '#shared/config/load-yaml.ts';
import { templateFolderOf } from '#shared/campaigns/campaign-config.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { checkedCampaigns, type PlanningSettings } from '#shared/campaigns/checked-campaigns.ts';
import type { SendPolicy } from '#shared/campaigns/send-policy.ts';
import { loadShopConfig, type ShopConfig } from '#shared/config/shop-config.ts';

export interface SendingSettings extends PlanningSettings {
  templates: CampaignTemplates;
  policy: SendPolicy;
  shop: ShopConfig;
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
