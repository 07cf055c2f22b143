import { backfillConsentAddresses } from '#shared/capture/consent-address-backfill.ts';
import { migrateCustomerIds } from '#shared/purchases/customer-id-migration.ts';
import type { Command } from '../cli-io.ts';
import { signingSecretFor } from '../signing-secret.ts';
import { tableOptions, tableOptionsHelp, tableTarget } from '../table-target.ts';
import { parseCommandLine, UsageError } from '../usage-error.ts';

const help = `Usage: npx kinship migrate <consent-address|customer-ids> [options]

One-off upgrades of a table written by an earlier Kinship.

  consent-address   Profiles that gave marketing consent before consent was tied to the address it was given for
                    get that address (their confirmed one), so campaigns reach them again. Safe to re-run; one
                    Scan of the table (about $0.03 per GB read in AWS).
  customer-ids      Every item under or naming a bare-hash customer id (c_…) moves to the keyed id (k_…) of the
                    same address: profile, orders, answers, consent ledger, sends, segment memberships, referrals
                    (also inside other customers' items). Each move is one transaction (written under the new id,
                    removed under the old); a re-run after a crash finishes the rest, a re-run after success
                    changes nothing. Two Scans plus one write per item; run it right after deploying this
                    release (it writes keyed ids), once per table written by an earlier Kinship.

Options:
  -h, --help        this help

${tableOptionsHelp}
Signing key (customer-ids; it keys the new ids): env KINSHIP_SIGNING_KEY; with --aws the secret named by
  SIGNING_KEY_SECRET_ARN; else the local one under KINSHIP_STATE_DIR (default .kinship).

Exit codes: 0 done, 1 failed, 2 usage error.
`;

const MIGRATIONS = ['consent-address', 'customer-ids'];

export const migrateCommand: Command = {
  summary: 'one-off upgrades of a table written by an earlier Kinship',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, tableOptions);
    const [migration, extra] = positionals;
    if (migration === undefined || !MIGRATIONS.includes(migration)) {
      throw new UsageError(
        migration === undefined ? `name a migration: ${MIGRATIONS.join(' or ')}` : `unknown migration "${migration}": use ${MIGRATIONS.join(' or ')}`,
      );
    }
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const aws = values.aws === true || io.env.KINSHIP_AWS === '1' || io.env.KINSHIP_AWS === 'true';
    const target = tableTarget(values, io.env);
    try {
      await target.check();
      if (migration === 'consent-address') {
        const result = await backfillConsentAddresses(target.table);
        io.stdout.write(`consent-address (${target.description}): ${result.found} profiles had consent without its address, ${result.updated} updated\n`);
        return 0;
      }
      const secret = await signingSecretFor(io.env, aws);
      const result = await migrateCustomerIds(target.table, secret, {
        onProgress: (phase, scanned) => io.stderr.write(`\r${phase === 'map' ? 'finding addresses' : 'rewriting'}: ${scanned} items`),
      });
      io.stderr.write('\n');
      io.stdout.write(
        `customer-ids (${target.description}): ${result.itemsScanned} items, ${result.idsMapped} old ids mapped, ${result.itemsMoved} moved to the new id, ${result.itemsRewritten} rewritten in place` +
          `${result.itemsUnmapped > 0 ? `, ${result.itemsUnmapped} name an old id with no address in the table (left as they are)` : ''}` +
          `${result.itemsInConflict > 0 ? `, ${result.itemsInConflict} left under the old id because the new id already has that item (written since the upgrade): merge them by hand` : ''}\n`,
      );
      return result.itemsInConflict > 0 ? 1 : 0;
    } finally {
      target.close();
    }
  },
};
