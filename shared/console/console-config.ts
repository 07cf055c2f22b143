import * as z from 'zod';
import { loadYamlConfig } from '#shared/config/load-yaml.ts';

export const CONTACT_CHANNELS = ['in-store', 'phone', 'email', 'chat', 'social'] as const;
export const CONTACT_OUTCOMES = ['resolved', 'follow-up', 'escalated'] as const;

const ConsoleConfigSchema = z.strictObject({
  contacts: z.strictObject({
    reasons: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'reason ids are lower-case words joined by -')).min(1),
  }),
  cases: z.strictObject({
    openAtOrBelow: z.number().int().min(1).max(4),
    escalateUnassignedAfterHours: z.number().positive(),
    escalateUnresolvedAfterHours: z.number().positive(),
  }),
  staffAlertEmail: z.email(),
});

export type ConsoleConfig = z.output<typeof ConsoleConfigSchema>;

let cached: ConsoleConfig | undefined;

/** config/console.yaml, read once per cold start; a bad value fails the start naming file, line and key. */
export function consoleConfig(): ConsoleConfig {
  cached ??= loadYamlConfig('console.yaml', ConsoleConfigSchema);
  return cached;
}

/** Every configured reason needs its label in the catalogs (checked against English, which every catalog must match). */
export function reasonLabelProblems(config: ConsoleConfig, hasLabel: (key: string) => boolean): string[] {
  return config.contacts.reasons
    .filter((r) => !hasLabel(`console.reason.${r}`))
    .map((r) => `config/console.yaml contacts.reasons names "${r}": add console.reason.${r} to every config/messages/*.json`);
}
