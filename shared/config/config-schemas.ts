import * as z from 'zod';
import { campaignsJsonSchema } from '#shared/campaigns/campaign-config.ts';
import { TemplateMetaSchema } from '#shared/campaigns/email-templates.ts';

/** Every generated JSON Schema, by file name under config/schemas/. */
export function configSchemas(): Record<string, Record<string, unknown>> {
  return {
    'campaigns.schema.json': { ...campaignsJsonSchema(), title: 'Kinship config/campaigns.yaml' },
    'template.schema.json': { ...z.toJSONSchema(TemplateMetaSchema, { io: 'input' }), title: 'Kinship config/templates/<folder>/template.yaml' },
  };
}
