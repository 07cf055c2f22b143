import { join } from 'node:path';
import { getSigningKey } from '#shared/secrets.ts';
import { readLocalSigningSecret } from '#shared/tokens/key-rotation.ts';
import { keyRingFrom } from '#shared/tokens/key-ring.ts';

/** The local state file holding the signing secret `npm start` generated (KINSHIP_STATE_DIR, default .kinship). */
export function localSecretsFile(env: NodeJS.ProcessEnv): string {
  return join(env.KINSHIP_STATE_DIR ?? '.kinship', 'secrets.json');
}

/**
 * The signing secret a command keys hashes with (erasure records, customer ids): KINSHIP_SIGNING_KEY, else the AWS
 * secret (--aws), else the local one `npm start` made.
 */
export async function signingSecretFor(env: NodeJS.ProcessEnv, aws: boolean): Promise<string> {
  const secret = await readSecret(env, aws);
  keyRingFrom(secret);
  return secret;
}

async function readSecret(env: NodeJS.ProcessEnv, aws: boolean): Promise<string> {
  if (env.KINSHIP_SIGNING_KEY) return env.KINSHIP_SIGNING_KEY;
  if (aws) return getSigningKey();
  const file = localSecretsFile(env);
  const secret = readLocalSigningSecret(file);
  if (secret === undefined)
    throw new Error(`no signing key: set KINSHIP_SIGNING_KEY, or run "npm start" once so ${file} exists (ids and erasure records are keyed with it)`);
  return secret;
}
