import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * `cdk synth` runs the full `campaigns validate` over config/ before it builds the stack, then ships that folder
 * with every function. This marker, written into the asset's config/ only after that check passed, holds the
 * digest of what was checked and every YAML file's values as the build parsed them. A cold start that finds the
 * digest matching the files beside it
 * - skips repeating the template checks (the sender's slowest init step), and
 * - reads each YAML file's values from the marker instead of running the YAML parser, whose first use in a fresh
 *   process costs 15–25 ms of CPU for campaigns.yaml alone (JSON.parse: 0.2 ms). The values are still validated
 *   by the file's schema at every start, so a broken file still fails loudly.
 * A missing or stale marker means the full checks run and the YAML is parsed, with line numbers.
 */
export const CHECKED_AT_BUILD_MARKER = '.checked-at-build';

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

interface Marker {
  digest: string;
  parsed: Record<string, unknown>;
}

function isMarker(value: unknown): value is Marker {
  return (
    typeof value === 'object' &&
    value !== null &&
    'digest' in value &&
    typeof value.digest === 'string' &&
    'parsed' in value &&
    typeof value.parsed === 'object' &&
    value.parsed !== null &&
    !Array.isArray(value.parsed)
  );
}

/**
 * A matching marker per config folder, looked up once per process: a Lambda asset cannot change under a running
 * function, and one digest of config/ costs ~5 ms (110 files) — paid once per cold start, not once per file read.
 */
const markers = new Map<string, Marker | undefined>();

function matchingMarker(dir: string): Marker | undefined {
  if (markers.has(dir)) return markers.get(dir);
  const file = join(dir, CHECKED_AT_BUILD_MARKER);
  let marker: Marker | undefined;
  if (existsSync(file)) {
    try {
      const content: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (isMarker(content) && content.digest === configDigest(dir)) marker = content;
    } catch {
      // Not a marker this code wrote (an older plain digest, or damaged): as if there were none.
    }
  }
  markers.set(dir, marker);
  return marker;
}

/** True when `dir` carries a marker whose digest matches its files: the build already ran the full checks on them. */
export function configCheckedAtBuild(dir: string): boolean {
  return matchingMarker(dir) !== undefined;
}

/**
 * The values the build parsed from `file` (an absolute path inside a config folder whose marker matches), or
 * undefined: then the caller parses the YAML itself. Looks for the marker in the file's folder and up to two above
 * it (config/templates/<folder>/template.yaml).
 */
export function parsedAtBuild(file: string): { value: unknown } | undefined {
  let dir = dirname(file);
  for (let level = 0; level < 3; level++) {
    const marker = matchingMarker(dir);
    if (marker) {
      const path = relativePath(dir, file);
      return Object.hasOwn(marker.parsed, path) ? { value: marker.parsed[path] } : undefined;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** `file`'s path under `dir` with forward slashes, as the marker keys it. */
export function relativePath(dir: string, file: string): string {
  return relative(dir, file).split('\\').join('/');
}

/** Every file under `dir`, in path order. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
