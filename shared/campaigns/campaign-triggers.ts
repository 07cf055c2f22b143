import { loadYamlConfig } from '#shared/config/load-yaml.ts';
import { CampaignsFileSchema, type CampaignsFile } from '#shared/campaigns/campaign-config.ts';
import { triggerContract } from '#shared/events/trigger-events.ts';

/** The campaigns file, validated (a bad file stops `cdk synth`, `npm start` and the functions' cold start). */
export function loadCampaignsFile(dir?: string): CampaignsFile {
  return loadYamlConfig('campaigns.yaml', CampaignsFileSchema, dir);
}

export type CampaignTrigger =
  | { kind: 'schedule'; name: string; expression: string; timezone: string; input: { campaignId: string } }
  | { kind: 'event'; name: string; pattern: Record<string, unknown>; input: { campaignId: string } };

/**
 * Each enabled campaign as the trigger of the planner: a newsletter's Scheduler schedule, or a triggered
 * campaign's rule on the bus. The CDK stack deploys exactly these; the local runtime runs exactly these.
 */
export function campaignTriggers(file: CampaignsFile = loadCampaignsFile()): CampaignTrigger[] {
  return file.campaigns
    .filter((campaign) => campaign.enabled)
    .map((campaign): CampaignTrigger => {
      const input = { campaignId: campaign.id };
      if (campaign.kind === 'newsletter') {
        return {
          kind: 'schedule',
          name: `campaign-${campaign.id}`,
          expression: campaign.schedule.expression,
          timezone: campaign.schedule.timezone ?? file.defaults.timezone,
          input,
        };
      }
      // The rule is the trigger contract's own pattern, narrowed by the campaign's detail pattern.
      return { kind: 'event', name: `campaign-${campaign.id}`, pattern: triggerContract(campaign.trigger.event).pattern(campaign.trigger.detail), input };
    });
}
