import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let signingKey: Promise<string> | undefined;

/**
 * The HMAC key that signs form, confirm and unsubscribe links.
 * In AWS it lives in Secrets Manager (SIGNING_KEY_SECRET_ARN) and is fetched once per cold start;
 * locally `npm start` generates one under .kinship/ and passes it as KINSHIP_SIGNING_KEY.
 */
export function getSigningKey(): Promise<string> {
  signingKey ??= loadSigningKey().catch((error: unknown) => {
    signingKey = undefined; // do not cache a failure: the next invocation tries again
    throw error;
  });
  return signingKey;
}

async function loadSigningKey(): Promise<string> {
  const fromEnv = process.env.KINSHIP_SIGNING_KEY;
  if (fromEnv) return fromEnv;
  const arn = process.env.SIGNING_KEY_SECRET_ARN;
  if (!arn) throw new Error('Neither KINSHIP_SIGNING_KEY nor SIGNING_KEY_SECRET_ARN is set: cannot sign links');
  const result = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!result.SecretString) throw new Error('The signing-key secret has no string value');
  return result.SecretString;
}
