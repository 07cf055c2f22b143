import { backfillConsentAddresses } from '#shared/capture/consent-address-backfill.ts';
import type { Command } from '../cli-io.ts';
import { tableOptions, tableOptionsHelp, tableTarget } from '../table-target.ts';
import { parseCommandLine, UsageError } from '../usage-error.ts';

const help = `Usage: npx kinship migrate consent-address [options]

One-off upgrades of a table written by an earlier Kinship.

  consent-address   Profiles that gave marketing consent before consent was tied to the address it was given for
                    get that address (their confirmed one), so campaigns reach them again. Safe to re-run; one
                    Scan of the table (about $0.03 per GB read in AWS).

Options:
  -h, --help        this help

${tableOptionsHelp}
Exit codes: 0 done, 1 failed, 2 usage error.
`;

export const migrateCommand: Command = {
  summary: 'one-off upgrades of a table written by an earlier Kinship',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, tableOptions);
    const [migration, extra] = positionals;
    if (migration !== 'consent-address') throw new UsageError(migration === undefined ? 'name a migration: consent-address' : `unknown migration "${migration}": use consent-address`);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const target = tableTarget(values, io.env);
    try {
      await target.check();
      const result = await backfillConsentAddresses(target.table);
      io.stdout.write(`consent-address (${target.description}): ${result.found} profiles had consent without its address, ${result.updated} updated\n`);
      return 0;
    } finally {
      target.close();
    }
  },
};
