/**
 * Stands in for the `semver` package in every Lambda bundle (an esbuild alias: infra/app-function.ts). Its one
 * importer there is aws-xray-sdk-core's patcher for the v2 AWS SDK (patchers/aws_p.js), which calls
 * `semver.gte(awssdk.VERSION, minVersion)` only from `captureAWS`; Kinship traces v3 clients and never calls it.
 * The real package is 28 KB minified and builds its regular expressions when loaded, at every cold start
 * (bench/cold-start.ts). test/unit/semver-gte.test.ts checks the answers against semver's and that aws_p.js
 * is still the only importer.
 */

interface Version {
  release: [number, number, number];
  prerelease: (string | number)[];
}

// semver's strict grammar (SemVer 2.0.0), with the leading "v" or "=" and surrounding spaces semver accepts.
const VERSION =
  /^\s*[v=]?\s*(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\s*$/;

function parse(version: string): Version {
  const match = VERSION.exec(version);
  if (!match) throw new TypeError(`Invalid Version: ${version}`);
  const [, major, minor, patch, prerelease] = match;
  return {
    release: [Number(major), Number(minor), Number(patch)],
    prerelease: prerelease === undefined ? [] : prerelease.split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id)),
  };
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SemVer 2.0.0 precedence: release numbers, then a pre-release sorts before its release; build metadata is ignored. */
export function compare(a: string, b: string): number {
  const left = parse(a);
  const right = parse(b);
  for (let i = 0; i < 3; i++) {
    const order = compareIdentifiers(left.release[i] ?? 0, right.release[i] ?? 0);
    if (order !== 0) return order;
  }
  if (left.prerelease.length === 0 || right.prerelease.length === 0) return Math.sign(right.prerelease.length - left.prerelease.length);
  for (let i = 0; i < Math.max(left.prerelease.length, right.prerelease.length); i++) {
    const l = left.prerelease[i];
    const r = right.prerelease[i];
    if (l === undefined) return -1;
    if (r === undefined) return 1;
    const order = compareIdentifiers(l, r);
    if (order !== 0) return order;
  }
  return 0;
}

/** semver.gte: `a` is the same version as `b` or a later one. */
export function gte(a: string, b: string): boolean {
  return compare(a, b) >= 0;
}
