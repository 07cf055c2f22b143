import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger for every function and the local runtime.
 * Log customer ids, order ids and counts — never email addresses, names or free text.
 */
export const logger = new Logger({
  serviceName: 'kinship',
  logLevel: process.env.LOG_LEVEL === 'DEBUG' ? 'DEBUG' : process.env.LOG_LEVEL === 'WARN' ? 'WARN' : process.env.LOG_LEVEL === 'SILENT' ? 'SILENT' : 'INFO',
});
