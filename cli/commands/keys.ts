import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { applyRotation, describeRing, readLocalSigningSecret, writeLocalSigningSecret, type RotationStep } from '#shared/tokens/key-rotation.ts';
import { keyRingFrom } from '#shared/tokens/key-ring.ts';
import type { Command } from '../cli-io.ts';
import { localSecretsFile } from '../signing-secret.ts';
import { parseCommandLine, UsageError } from '../usage-error.ts';

const help = `Usage: npx kinship keys <list|rotate|add|use <id>|retire <id>> [options]

The signing key ring: links (form, confirm, unsubscribe, sign-in) carry the id of the key that signed them, so a
new key can sign new links while links signed with an older key keep opening until they expire.

  list          the key ids and which is current, identity (keys customer ids and erasure records) and legacy
  rotate        add a new key and make it current at once (locally: restart npm start afterwards)
  add           add a new key, not yet current (in AWS: step 1, then wait 10 minutes for warm Lambdas)
  use <id>      make <id> the key new links are signed with (in AWS: step 2)
  retire <id>   remove <id>: links it signed stop opening (after the longest link lifetime; never the identity key)

Options:
  --secret-file <path>   work on a file holding only the secret's value (the AWS secret, see README "Rotating the
                         signing key") instead of the local one under KINSHIP_STATE_DIR (default .kinship)
  -h, --help             this help

No key is ever printed. Exit codes: 0 done, 1 failed, 2 usage error.
`;

const options = { 'secret-file': { type: 'string' } } as const;

export const keysCommand: Command = {
  summary: 'list and rotate the keys that sign links',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, options);
    const [action, keyId, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra.join(' ')}"`);
    const step = stepFor(action, keyId);
    const secretFile = values['secret-file'];
    const file = secretFile ?? localSecretsFile(io.env);
    const secret = secretFile === undefined ? readLocalSigningSecret(file) : readSecretFile(secretFile);
    if (secret === undefined) throw new Error(`no signing key in ${file}: run "npm start" once to create it, or pass --secret-file`);
    if (step === undefined) {
      io.stdout.write(`${describeRing(keyRingFrom(secret))}\n`);
      return 0;
    }
    const result = applyRotation(secret, step);
    if (secretFile === undefined) writeLocalSigningSecret(file, result.secret);
    else writeFileSync(secretFile, result.secret, { mode: 0o600 });
    io.stdout.write(`${file}: ${result.summary}\n${describeRing(result.ring)}\n`);
    if (secretFile !== undefined) {
      io.stdout.write(
        `Now store it and remove the file:\n  aws secretsmanager put-secret-value --secret-id "$SIGNING_KEY_SECRET_ARN" --secret-string file://${secretFile}\n  rm ${secretFile}\n`,
      );
    } else {
      io.stdout.write('Restart npm start to use it.\n');
    }
    return 0;
  },
};

function stepFor(action: string | undefined, keyId: string | undefined): RotationStep | undefined {
  if (action === 'list' || action === 'rotate' || action === 'add') {
    if (keyId !== undefined) throw new UsageError(`${action} takes no key id`);
    return action === 'list' ? undefined : { step: action };
  }
  if (action === 'use' || action === 'retire') {
    if (keyId === undefined) throw new UsageError(`${action} needs a key id, e.g. npx kinship keys ${action} k1`);
    return { step: action, keyId };
  }
  throw new UsageError(
    action === undefined ? 'name an action: list, rotate, add, use or retire' : `unknown action "${action}": use list, rotate, add, use or retire`,
  );
}

function readSecretFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  // `aws ... --output text` ends the value with a newline that is not part of the secret.
  const secret = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  return secret.length > 0 ? secret : undefined;
}
