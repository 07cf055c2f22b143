import { ConfigError } from '#shared/config/load-yaml.ts';
import { processIo, type CliIo, type Command } from './cli-io.ts';
import { importCommand } from './commands/import.ts';
import { campaignsCommand } from './commands/campaigns.ts';
import { incentivesCommand } from './commands/incentives.ts';
import { segmentsCommand } from './commands/segments.ts';
import { reportCommand } from './commands/report.ts';
import { privacyCommand } from './commands/privacy.ts';
import { migrateCommand } from './commands/migrate.ts';
import { keysCommand } from './commands/keys.ts';
import { UsageError } from './usage-error.ts';

/**
 * The subcommands of `kinship`. Add one by writing cli/commands/<name>.ts exporting a Command and listing it
 * here.
 */
const commands: Readonly<Record<string, Command>> = {
  import: importCommand,
  segments: segmentsCommand,
  campaigns: campaignsCommand,
  incentives: incentivesCommand,
  report: reportCommand,
  privacy: privacyCommand,
  migrate: migrateCommand,
  keys: keysCommand,
};

const overview = () => `kinship — the shop's command line for Kinship

Usage: npx kinship <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(12)}${command.summary}`)
  .join('\n')}

Run "npx kinship <command> --help" for a command's options.

Exit codes: 0 done, 1 failed (the message says what to do next), 2 usage error.
`;

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr.write(overview());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    io.stderr.write(`kinship: unknown command "${name}". Commands: ${Object.keys(commands).join(', ')}. Run "npx kinship --help".\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(command.help);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`kinship ${name}: ${error.message}\nRun "npx kinship ${name} --help" for usage.\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`kinship ${name}: ${error.message}\nFix the configuration and run the command again.\n`);
      return 1;
    }
    io.stderr.write(`kinship ${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
