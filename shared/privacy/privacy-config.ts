import * as z from 'zod';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { configDir, loadYamlConfig } from '#shared/config/load-yaml.ts';

const Months = z.number().int().min(1).max(240);

/** config/privacy.yaml — what an erasure keeps, and how long personal data is kept. */
export const PrivacyConfigSchema = z.strictObject({
  /** Orders stay for bookkeeping after an erasure (anonymised); false deletes them with the rest. */
  keepOrders: z.boolean().default(true),
  /** Attributes removed from a kept order (any other attribute still naming the person is scrubbed too). */
  orderPersonalFields: z.array(z.string().min(1)).default(['email', 'customerName', 'locale', 'country']),
  retention: z
    .strictObject({
      freeTextAnswersMonths: Months.default(24),
      emailEventsMonths: Months.default(13),
      contactsNotesMonths: Months.default(36),
    })
    .default({ freeTextAnswersMonths: 24, emailEventsMonths: 13, contactsNotesMonths: 36 }),
});
export type PrivacyConfig = z.output<typeof PrivacyConfigSchema>;

export const PRIVACY_CONFIG_FILE = 'privacy.yaml';

/** Reads config/privacy.yaml; a bad value fails with file, line and key. Without the file, the defaults apply. */
export function loadPrivacyConfig(dir = configDir()): PrivacyConfig {
  if (!existsSync(join(dir, PRIVACY_CONFIG_FILE))) return PrivacyConfigSchema.parse({});
  return loadYamlConfig(PRIVACY_CONFIG_FILE, PrivacyConfigSchema, dir);
}

/** `date` moved back by whole calendar months (UTC), e.g. the cut-off before which free text is blanked. */
export function monthsBefore(date: Date, months: number): Date {
  const shifted = new Date(date.getTime());
  shifted.setUTCMonth(shifted.getUTCMonth() - months);
  return shifted;
}

/**
 * The TTL (epoch seconds, the table's `expiresAt`) for an email event that happened at `at`: for the writer of
 * `CUST#<id>/EMAILEVT#…` items, so DynamoDB deletes them after `retention.emailEventsMonths`.
 */
export function emailEventExpiresAt(at: Date, config: PrivacyConfig): number {
  const expiry = new Date(at.getTime());
  expiry.setUTCMonth(expiry.getUTCMonth() + config.retention.emailEventsMonths);
  return Math.floor(expiry.getTime() / 1000);
}
