import type { Logger } from '@aws-lambda-powertools/logger';
import { logger } from '#shared/logger.ts';

/**
 * The local runtime's structured JSON log (same logger as the functions, its own service name).
 * Entries carry ids, names of routes, rules, schedules and queues, counts and durations — never
 * email addresses, names, tokens or request bodies.
 */
export type LocalLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export function createLocalLog(): LocalLog {
  return logger.createChild({ serviceName: 'kinship-local' });
}

/** A log that drops everything (tests that assert on behaviour, not on log lines). */
export const silentLog: LocalLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
