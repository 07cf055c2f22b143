/**
 * The SES message tags Kinship puts on every email (contract: `campaign`, `occurrence`, `customer`, `kind`).
 * SES carries them back on every delivery, bounce, complaint, open and click event as `mail.tags` — `{ name: [value] }` —
 * which is how an event finds its claim, its profile and its counters without a lookup.
 * SES allows only ASCII letters, digits, `_`, `-` and `.` in tag values (max 256), and occurrence ids contain `:` and `@`,
 * so free-form ids travel as unpadded base64url.
 */
export type EmailKind = 'marketing' | 'service' | 'opt-in' | 'incentive';

export const EMAIL_KINDS: readonly EmailKind[] = ['marketing', 'service', 'opt-in', 'incentive'];

const TAG_VALUE = /^[A-Za-z0-9_-]{0,256}$/;

/** Unpadded base64url of the UTF-8 text: only [A-Za-z0-9_-]. */
export function encodeTagValue(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

/** The inverse of encodeTagValue; undefined when the value is not one it produced. */
export function decodeTagValue(value: string): string | undefined {
  if (!TAG_VALUE.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64url').toString('utf8');
  return encodeTagValue(decoded) === value ? decoded : undefined;
}

/** Tags of a campaign email. Campaign and customer ids are already tag-safe (checked), the occurrence id is encoded. */
export function campaignEmailTags(input: {
  campaignId: string;
  occurrenceId: string;
  customerId: string;
  kind: 'marketing' | 'service';
}): Record<string, string> {
  return {
    campaign: tagSafe(input.campaignId, 'campaign'),
    occurrence: encodeTagValue(input.occurrenceId),
    customer: tagSafe(input.customerId, 'customer'),
    kind: input.kind,
  };
}

/** Tags of a capture email (the double opt-in, the incentive): who it is for and what it is. */
export function captureEmailTags(input: { customerId: string; kind: 'opt-in' | 'incentive' }): Record<string, string> {
  return { customer: tagSafe(input.customerId, 'customer'), kind: input.kind };
}

function tagSafe(value: string, name: string): string {
  if (value.length === 0 || !TAG_VALUE.test(value)) throw new Error(`SES tag "${name}" must be 1–256 of [A-Za-z0-9_-]`);
  return value;
}

/** What an SES event's tags say about the email; fields missing or malformed are left out. */
export interface EmailTagInfo {
  campaignId?: string;
  occurrenceId?: string;
  customerId?: string;
  kind?: EmailKind;
}

/** Reads the Kinship tags back from an SES event's `mail.tags` (`{ name: [value] }`). */
export function readEmailTags(tags: Record<string, string[]> | undefined): EmailTagInfo {
  const first = (name: string) => tags?.[name]?.[0];
  const campaign = first('campaign');
  const occurrence = first('occurrence');
  const customer = first('customer');
  const kind = first('kind');
  const occurrenceId = occurrence === undefined ? undefined : decodeTagValue(occurrence);
  const knownKind = EMAIL_KINDS.find((k) => k === kind);
  return {
    ...(campaign && TAG_VALUE.test(campaign) ? { campaignId: campaign } : {}),
    ...(occurrenceId ? { occurrenceId } : {}),
    ...(customer && TAG_VALUE.test(customer) ? { customerId: customer } : {}),
    ...(knownKind ? { kind: knownKind } : {}),
  };
}
