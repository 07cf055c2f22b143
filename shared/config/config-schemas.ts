import { campaignsJsonSchema } from '#shared/campaigns/campaign-config.ts';

/** Every generated JSON Schema, by file name under config/schemas/. */
export function configSchemas(): Record<string, Record<string, unknown>> {
  return {
    'campaigns.schema.json': { ...campaignsJsonSchema(), title: 'Kinship config/campaigns.yaml' },
  };
}
