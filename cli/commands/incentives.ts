import { readFileSync } from 'node:fs';
import { loadPoolCodes, parsePoolCodes } from '#shared/capture/coupon-pool.ts';
import type { Command } from '../cli-io.ts';
import { tableOptions, tableOptionsHelp, tableTarget } from '../table-target.ts';
import { parseCommandLine, UsageError } from '../usage-error.ts';

const help = `Usage: npx kinship incentives load-pool <pool> <codes.txt> [options]

Loads pre-printed or partner coupon codes into a pool named in config/incentives.yaml
(code: { source: pool, pool: <pool> }). One code per line; blank lines and # comments are skipped; codes are
upper-cased; 4–40 letters, digits and dashes. Each code is handed out once. Loading the same file again skips
the codes already there (free or claimed), so it is safe to re-run after an interruption.

Options:
  -h, --help        this help

${tableOptionsHelp}
Exit codes: 0 loaded (unusable lines are listed), 1 failed, 2 usage error.
`;

export const incentivesCommand: Command = {
  summary: 'load coupon codes into an incentive pool',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, tableOptions);
    const [sub, pool, file] = positionals;
    if (sub !== 'load-pool') throw new UsageError(sub === undefined ? 'name a subcommand: load-pool' : `unknown subcommand "${sub}": use load-pool`);
    if (!pool || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(pool))
      throw new UsageError('load-pool needs a pool name in lower-case letters, digits and dashes, e.g. spring-2026');
    if (!file) throw new UsageError('load-pool needs the file of codes, e.g. npx kinship incentives load-pool spring-2026 codes.txt');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      io.stderr.write(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    const parsed = parsePoolCodes(text);
    for (const reject of parsed.rejects)
      io.stderr.write(`${file}:${reject.line}: not a usable code: ${JSON.stringify(reject.text)} (4–40 letters, digits and dashes)\n`);
    const target = tableTarget(values, io.env);
    try {
      await target.check();
      const result = await loadPoolCodes(target.table, pool, parsed.codes);
      io.stdout.write(
        `pool ${pool} (${target.description}): ${result.loaded} codes loaded, ${result.skipped} already there, ${parsed.duplicates} duplicate lines, ${parsed.rejects.length} unusable lines\n`,
      );
      return 0;
    } finally {
      target.close();
    }
  },
};
