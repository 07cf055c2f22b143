import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * `cdk synth` runs the full `campaigns validate` over config/ before it builds the stack, then ships that folder
 * with every function. This marker, written into the asset's config/ only after that check passed, holds the
 * digest of what was checked; a cold start that finds it matching the files beside it skips repeating the
 * template checks (bench/cold-start.ts: the sender's slowest init step). Files are still parsed and templates
 * compiled at start, so a broken file still fails loudly; a missing or stale marker means the full check runs.
 */
export const CHECKED_AT_BUILD_MARKER = '.checked-at-build';

/** sha256 over every file's relative path and bytes under `dir` (the marker itself excluded), in path order. */
export function configDigest(dir: string): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(dir)) {
    const path = relative(dir, file).split('\\').join('/');
    if (path === CHECKED_AT_BUILD_MARKER) continue;
    hash.update(`${path}\u0000`).update(readFileSync(file)).update('\u0000');
  }
  return hash.digest('hex');
}

/** True when `dir` carries a marker whose digest matches its files: the build already ran the full checks on them. */
export function configCheckedAtBuild(dir: string): boolean {
  const marker = join(dir, CHECKED_AT_BUILD_MARKER);
  if (!existsSync(marker)) return false;
  return readFileSync(marker, 'utf8').trim() === configDigest(dir);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
