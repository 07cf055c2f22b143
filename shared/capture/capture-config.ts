import * as z from 'zod';
import { loadYamlConfig } from '#shared/config/load-yaml.ts';

export const CategoryId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'category ids are lower-case letters, digits and dashes, e.g. sleeping-bags');
const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as IS');

/** config/capture.yaml — how the incentive form, submissions and the confirm link behave. */
export const CaptureConfigSchema = z.strictObject({
  form: z.strictObject({
    /** Product categories offered as interests; each needs a `category.<id>` label in every message catalog. */
    interests: z.array(CategoryId).max(50).default([]),
    /** Countries listed first in the country picker (any valid ISO code is accepted on submit). */
    countries: z.array(CountryCode).min(1).max(300),
    /** Largest submission body accepted, in bytes (413 above). */
    maxBodyBytes: z.number().int().min(4096).max(1_000_000).default(65_536),
  }),
  submissions: z
    .strictObject({
      /** Submissions per client IP (hashed) per window before 429. */
      rateLimit: z.strictObject({ requests: z.number().int().min(1).max(10_000), windowSeconds: z.number().int().min(1).max(86_400) }),
    })
    .default({ rateLimit: { requests: 10, windowSeconds: 60 } }),
  confirm: z
    .strictObject({
      /** How long the double opt-in link stays valid. */
      tokenTtlDays: z.number().int().min(1).max(90),
      /** Opt-in emails one order may cause (the first, plus address corrections): a form link cannot mail on and on. */
      maxOptInsPerOrder: z.number().int().min(1).max(20).default(3),
      /** Opt-in emails one address may receive per UTC day, across all orders: nobody can be mail-bombed through forms. */
      maxOptInsPerRecipientPerDay: z.number().int().min(1).max(50).default(3),
    })
    .default({ tokenTtlDays: 7, maxOptInsPerOrder: 3, maxOptInsPerRecipientPerDay: 3 }),
});

export type CaptureConfig = z.output<typeof CaptureConfigSchema>;

export function loadCaptureConfig(dir?: string): CaptureConfig {
  return loadYamlConfig('capture.yaml', CaptureConfigSchema, dir);
}
