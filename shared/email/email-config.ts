import * as z from 'zod';
import { ConfigError, loadYamlConfig } from '#shared/config/load-yaml.ts';

/** config/email.yaml — who the shop's emails come from. `KINSHIP_FROM_EMAIL` overrides `from` (e.g. per stage). */
export const EmailConfigSchema = z.strictObject({
  /** A verified SES identity, optionally with a display name: `Shop <hello@shop.example>`. */
  from: z.string().max(320).refine(isFromAddress, 'must be an address like hello@shop.example or "Shop name <hello@shop.example>"'),
  replyTo: z.array(z.email()).max(5).default([]),
  /** SES configuration set that routes delivery, bounce, complaint, open and click events to EventBridge. */
  configurationSet: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  /** Soft bounces (full mailbox, server down) in a row before an address is suppressed; a delivery resets the count. */
  softBounceLimit: z.number().int().min(1).max(20).default(3),
});

function isFromAddress(value: string): boolean {
  const match = /^(?:[^<>]*<([^<>\s]+)>|([^<>\s]+))$/.exec(value.trim());
  const address = match?.[1] ?? match?.[2];
  return address !== undefined && z.email().safeParse(address).success;
}

export type EmailConfig = z.output<typeof EmailConfigSchema>;

export function loadEmailConfig(dir?: string, env: NodeJS.ProcessEnv = process.env): EmailConfig {
  const loaded = loadYamlConfig('email.yaml', EmailConfigSchema, dir);
  // In AWS the stack names the configuration set it created (SES_CONFIGURATION_SET); it wins over the file.
  const configurationSet = env.SES_CONFIGURATION_SET;
  const config = configurationSet ? { ...loaded, configurationSet } : loaded;
  const from = env.KINSHIP_FROM_EMAIL;
  if (from === undefined || from === '') return config;
  if (!isFromAddress(from))
    throw new ConfigError(`KINSHIP_FROM_EMAIL: "${from}" is not an address like hello@shop.example or "Shop name <hello@shop.example>"`);
  return { ...config, from };
}

/** The domain of the `from` address ("hello@shop.example" → "shop.example"): the SES identity to verify and grant on. */
export function senderDomain(config: EmailConfig): string {
  const match = /<([^<>\s]+)>\s*$/.exec(config.from.trim());
  const address = match?.[1] ?? config.from.trim();
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
