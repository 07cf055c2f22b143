import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { traced } from '#shared/observability/observability.ts';
import { keyRingFrom } from '#shared/tokens/key-ring.ts';

/**
 * How long a warm Lambda trusts the secret it read. A rotation adds a key first and makes it current only after this
 * long (README, Operations), so no instance is handed a link signed with a key id it has not loaded yet.
 */
export const SECRET_REFRESH_MS = 10 * 60_000;

let client: SecretsManagerClient | undefined;
let cached: { value: Promise<string>; loadedAt: number } | undefined;

/**
 * The signing secret: the key ring (or the single key of older deployments) that signs form, confirm and
 * unsubscribe links and keys every hash of personal data (shared/tokens/key-ring.ts).
 * In AWS it lives in Secrets Manager (SIGNING_KEY_SECRET_ARN), fetched at cold start and again every
 * SECRET_REFRESH_MS; locally `npm start` generates one under .kinship/ and passes it as KINSHIP_SIGNING_KEY.
 */
export function getSigningKey(now = Date.now()): Promise<string> {
  if (cached && now - cached.loadedAt < SECRET_REFRESH_MS) return cached.value;
  const previous = cached;
  const value = loadSigningKey().catch((error: unknown) => {
    // Do not cache a failure: keep serving the secret read before (if any), and try again on the next call.
    cached = previous;
    if (previous) return previous.value;
    throw error;
  });
  cached = { value, loadedAt: now };
  return value;
}

async function loadSigningKey(): Promise<string> {
  const secret = await readSigningSecret();
  keyRingFrom(secret); // a malformed ring fails the cold start with what is wrong, not the first link
  return secret;
}

async function readSigningSecret(): Promise<string> {
  const fromEnv = process.env.KINSHIP_SIGNING_KEY;
  if (fromEnv) return fromEnv;
  const arn = process.env.SIGNING_KEY_SECRET_ARN;
  if (!arn) throw new Error('Neither KINSHIP_SIGNING_KEY nor SIGNING_KEY_SECRET_ARN is set: cannot sign links');
  client ??= traced(new SecretsManagerClient({}));
  const result = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!result.SecretString) throw new Error('The signing-key secret has no string value');
  return result.SecretString;
}
