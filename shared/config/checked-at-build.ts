import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { isRecord } from '#shared/is-record.ts';

/**
 * `cdk synth` runs the full `campaigns validate` over config/ before it builds the stack, then ships that folder
 * with every function. This marker, written into the asset's config/ only after that check passed, holds the
 * hash of each file it checked and every YAML file's values as the build parsed them. A cold start
 * - skips repeating the template checks (the sender's slowest init step) when the marker lists the files present,
 *   then checks each file it reads against its hash (the sender's templates when it first renders them),
 * - skips comparing the message catalogs with English when their hashes match, and
 * - reads a YAML file's values from the marker when its hash matches, instead of running the YAML parser, whose
 *   first use in a fresh process costs 15–25 ms of CPU for campaigns.yaml alone (JSON.parse: 0.2 ms). The values
 *   are still validated by the file's schema at every start, so a broken file still fails loudly.
 * A missing or stale marker means the full checks run and the YAML is parsed, with line numbers.
 */
export const CHECKED_AT_BUILD_MARKER = '.checked-at-build';

interface Marker {
  /** sha256 of each file's bytes, by relative path: every file the build checked. */
  files: Record<string, string>;
  parsed: Record<string, unknown>;
}

function isMarker(value: unknown): value is Marker {
  return isRecord(value) && isRecord(value.files) && Object.values(value.files).every((hash) => typeof hash === 'string') && isRecord(value.parsed);
}

/** sha256 of one file's bytes, as the marker lists it. */
export function fileHash(file: string): string {
  return sha256Of(readFileSync(file));
}

/** sha256 of some bytes (a string as UTF-8), hex, as the marker lists a file's. */
function sha256Of(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The marker of each config folder, read once per process (a Lambda asset cannot change under a running function).
 * Reading it verifies nothing: each use checks what it relies on, the files it reads (one hash each).
 */
const markers = new Map<string, Marker | undefined>();

function markerIn(dir: string): Marker | undefined {
  if (markers.has(dir)) return markers.get(dir);
  const file = join(dir, CHECKED_AT_BUILD_MARKER);
  let marker: Marker | undefined;
  if (existsSync(file)) {
    try {
      const content: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (isMarker(content)) marker = content;
    } catch {
      // Not a marker this code wrote (an older plain digest, or damaged): as if there were none.
    }
  }
  markers.set(dir, marker);
  return marker;
}

/** Whether `dir` carries a marker the build wrote (not yet whether it matches the files: see the functions below). */
export function configMarkerPresent(dir: string): boolean {
  return markerIn(dir) !== undefined;
}

/**
 * True when `dir` carries a marker that lists exactly the files present: the build ran the full checks on files of these
 * names. No file is read here; what a function relies on is checked when it is read, against that file's own hash
 * (`filesCheckedAtBuild`, `contentCheckedAtBuild`, `parsedAtBuild`), and a file that differs brings the full checks
 * back. So a cold start pays for the files it reads, not for hashing all of config/ (~110 files).
 */
export function configListedAtBuild(dir: string): boolean {
  const marker = markerIn(dir);
  if (marker === undefined) return false;
  const present = filesUnder(dir)
    .map((file) => relativePath(dir, file))
    .filter((path) => path !== CHECKED_AT_BUILD_MARKER);
  return present.length === Object.keys(marker.files).length && present.every((path) => marker.files[path] !== undefined);
}

/** True when `dir`'s marker lists each of these files (relative paths) with the hash of the bytes there now. */
export function filesCheckedAtBuild(dir: string, paths: readonly string[]): boolean {
  const marker = markerIn(dir);
  if (marker === undefined) return false;
  return paths.every((path) => marker.files[path] !== undefined && marker.files[path] === hashIfPresent(join(dir, path)));
}

/** True when `content`, just read from `path` (relative to `dir`) as UTF-8, is the file the build checked. */
export function contentCheckedAtBuild(dir: string, path: string, content: string): boolean {
  const hash = markerIn(dir)?.files[path];
  return hash !== undefined && hash === sha256Of(content);
}

function hashIfPresent(file: string): string | undefined {
  return existsSync(file) ? fileHash(file) : undefined;
}

/**
 * The values the build parsed from `file` (an absolute path inside a config folder with a marker), when the file's
 * bytes are still the ones it parsed; else undefined: then the caller parses the YAML itself. Looks for the marker in
 * the file's folder and up to two above it (config/templates/<folder>/template.yaml).
 */
export function parsedAtBuild(file: string): { value: unknown } | undefined {
  let dir = dirname(file);
  for (let level = 0; level < 3; level++) {
    const marker = markerIn(dir);
    if (marker) {
      const path = relativePath(dir, file);
      return Object.hasOwn(marker.parsed, path) && filesCheckedAtBuild(dir, [path]) ? { value: marker.parsed[path] } : undefined;
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
