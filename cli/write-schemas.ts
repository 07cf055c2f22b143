/**
 * `npm run schemas`: regenerates the JSON Schemas editors use to autocomplete config files (the YAML files name
 * them in a `yaml-language-server: $schema=` line). test/unit/campaign-validate.test.ts ("generated JSON Schemas") fails when one is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchemas } from '#shared/config/config-schemas.ts';

const dir = join(process.cwd(), 'config', 'schemas');
for (const [file, schema] of Object.entries(configSchemas())) {
  writeFileSync(join(dir, file), `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote config/schemas/${file}\n`);
}
