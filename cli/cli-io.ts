/** What a command may use of the process: its output streams and environment. Tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** One subcommand of `kinship`. */
export interface Command {
  /** One line for the overview in `kinship --help`. */
  summary: string;
  /** Full text of `kinship <command> --help`. */
  help: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
