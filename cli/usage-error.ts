import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The command line cannot be run as given. main() prints the message and the command's help hint, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** node:util parseArgs, strict, with its errors turned into UsageErrors. */
export function parseCommandLine<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(error.message, { cause: error });
    throw error;
  }
}
