/**
 * The YAML parser, behind one specifier of our own so a Lambda asset can carry it as a file beside index.mjs
 * (infra/side-bundles.ts) that a cold start never parses when the build's marker already holds every file's values
 * (shared/config/load-yaml.ts).
 */
export { parseDocument } from 'yaml';
