/**
 * The campaigns as the planner and the sender read them once per cold start: campaigns.yaml parsed and validated, after
 * the same checks as `campaigns validate` (a template that would fail or print raw output stops the start). The
 * planner renders nothing, so it imports no template code.
 */
import { configListedAtBuild, configMarkerPresent, contentCheckedAtBuild, relativePath } from '#shared/config/checked-at-build.ts';
import { ConfigError, configDir } from '#shared/config/load-yaml.ts';
import type { Campaign, CampaignsFile } from '#shared/campaigns/campaign-config.ts';
import { loadCampaignsFile } from '#shared/campaigns/campaign-triggers.ts';

/** Called with each template file as it is read (the sender checks it against the build's marker). */
export type TemplateReadCheck = (file: string, source: string) => void;

/**
 * The full campaigns checks (`campaigns validate`: every template parsed, every segment and variable resolved), loaded
 * unless this is a Lambda whose config/ carries the build's marker: there cdk synth ran them, and the module (with the
 * segment schemas and the template checker it brings) is a file beside index.mjs that a cold start never parses
 * (topology `lazyModules`). The local runtime, the CLI and tests load it from the repository.
 */
const validation: typeof import('#shared/campaigns/validate-campaigns.ts') | undefined =
  process.env.LAMBDA_TASK_ROOT && configMarkerPresent(configDir()) ? undefined : await import('#shared/campaigns/validate-campaigns.ts');

function assertCampaignsValid(dir: string, changed?: string): void {
  if (validation) return validation.assertCampaignsValid(dir);
  throw new ConfigError(
    `${changed ?? dir}: not the file${changed ? '' : 's'} the build checked (config/.checked-at-build); run npx kinship campaigns validate, then deploy again`,
  );
}

/** What the planner reads: the campaigns, checked as `campaigns validate` checks them. */
export interface PlanningSettings {
  file: CampaignsFile;
  campaigns: ReadonlyMap<string, Campaign>;
}

export function loadPlanningSettings(dir = configDir()): PlanningSettings {
  const { file, campaigns } = checkedCampaigns(dir);
  return { file, campaigns };
}

/**
 * The same checks as `campaigns validate`: a template that would fail or print raw output stops the cold start.
 * Skipped when cdk synth ran them on files of these names (its marker lists exactly the files present); then each file
 * a function reads is checked against the marker's hash as it is read (campaigns.yaml here, each template folder when
 * the sender first renders it), and one that differs runs the full checks after all (or, in a Lambda, stops: there the
 * checks are not loaded, and a file that differs from the build's means a broken deploy).
 */
export function checkedCampaigns(dir: string): PlanningSettings & { checkTemplateRead: TemplateReadCheck } {
  const skipped = configListedAtBuild(dir);
  if (!skipped) assertCampaignsValid(dir);
  let checkedAfterAll = !skipped;
  const checkTemplateRead: TemplateReadCheck = (path, source) => {
    if (checkedAfterAll || contentCheckedAtBuild(dir, relativePath(dir, path), source)) return;
    assertCampaignsValid(dir, path);
    checkedAfterAll = true;
  };
  const file = loadCampaignsFile(dir);
  return { file, campaigns: new Map(file.campaigns.map((campaign) => [campaign.id, campaign])), checkTemplateRead };
}
