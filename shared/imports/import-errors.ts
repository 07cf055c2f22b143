/**
 * A problem with the file or the options that the person running the import has to fix (a column that cannot
 * be mapped, an unknown option value, a file that is not CSV). The CLI shows the message and exits with code 2;
 * nothing has been written when it is thrown.
 */
export class ImportInputError extends Error {
  override readonly name = 'ImportInputError';
}

/** The import cannot continue safely as asked (e.g. the shop's currency settings changed since it started). */
export class ImportConflictError extends Error {
  override readonly name = 'ImportConflictError';
}
