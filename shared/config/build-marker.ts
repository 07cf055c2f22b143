import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { CHECKED_AT_BUILD_MARKER, configDigest, fileHash, filesUnder, relativePath } from '#shared/config/checked-at-build.ts';

/**
 * The marker's content for `dir` as it is now: its digest, each file's hash and every `*.yaml` file's values, by
 * relative path, parsed as the loader parses them. A file the parser refuses is left out: the function parses it at start and names the line.
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
  return JSON.stringify({ digest: configDigest(dir), files, parsed });
}
