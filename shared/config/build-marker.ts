import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { CHECKED_AT_BUILD_MARKER, fileHash, filesUnder, relativePath } from '#shared/config/checked-at-build.ts';

/**
 * The marker's content for `dir` as it is now: each file's hash and every `*.yaml` file's values, by relative path,
 * parsed as the loader parses them. A file the parser refuses is left out: the function parses it at start and names
 * the line.
 */
export function checkedAtBuildMarker(dir: string): string {
  const parsed: Record<string, unknown> = {};
  const files: Record<string, string> = {};
  for (const file of filesUnder(dir)) {
    const path = relativePath(dir, file);
    if (path === CHECKED_AT_BUILD_MARKER) continue;
    files[path] = fileHash(file);
    if (!path.endsWith('.yaml')) continue;
    const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
    if (doc.errors.length === 0) parsed[path] = doc.toJS();
  }
  return JSON.stringify({ files, parsed });
}

/** sha256 over every file's relative path and bytes under `dir` (the marker itself excluded), in path order. */
export function configDigest(dir: string): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(dir)) {
    const path = relativePath(dir, file);
    if (path === CHECKED_AT_BUILD_MARKER) continue;
    hash.update(`${path}\u0000`).update(readFileSync(file)).update('\u0000');
  }
  return hash.digest('hex');
}
