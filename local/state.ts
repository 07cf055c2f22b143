/**
 * What `npm start` keeps between runs under `.kinship/` (git-ignored): the generated signing key, the
 * DynamoDB Local data, the pid of the DynamoDB Local it started (so a crashed run's Java process is
 * cleaned up by the next run), the demo seed's anchor (the instant its shop is generated for, so an
 * interrupted seed resumes with the same orders) and the marker that the demo shop was seeded.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { field } from '#shared/table/item-field.ts';
import { readLocalSigningSecret } from '#shared/tokens/key-rotation.ts';

export interface StatePaths {
  dir: string;
  dynamoDbData: string;
  secrets: string;
  dynamoDbPid: string;
  seedAnchor: string;
  seedMarker: string;
  /** The Cognito emulator's pool, client and demo users (the staff console's sign-in). */
  cognito: string;
}

export function statePaths(dir: string): StatePaths {
  return {
    dir,
    dynamoDbData: join(dir, 'dynamodb'),
    secrets: join(dir, 'secrets.json'),
    dynamoDbPid: join(dir, 'dynamodb.pid'),
    seedAnchor: join(dir, 'seed-anchor.json'),
    seedMarker: join(dir, 'seeded.json'),
    cognito: join(dir, 'cognito'),
  };
}

/** How to get out of any state the runtime cannot repair itself; every such error ends with it. */
export const RESET_HINT = 'Start afresh with: npm start -- --reset (or delete the state directory: rm -rf .kinship, or the KINSHIP_STATE_DIR you set)';

/** Local state the runtime cannot use or repair (a corrupt file, a table that contradicts it): the message names the fix. */
export class StateNeedsResetError extends Error {
  override readonly name = 'StateNeedsResetError';
  constructor(problem: string) {
    super(`${problem}. ${RESET_HINT}.`);
  }
}

/** Written to a temporary file and renamed, so a Ctrl-C never leaves half a file behind. */
function writeJsonAtomically(file: string, value: unknown): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, file);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The local signing secret: a key generated once (32 random bytes), then reused so links survive restarts; after
 * `npx kinship keys rotate` a key ring (shared/tokens/key-ring.ts).
 */
export function loadOrCreateSigningKey(paths: StatePaths): string {
  const existing = readLocalSigningSecret(paths.secrets);
  if (existing !== undefined) return existing;
  mkdirSync(paths.dir, { recursive: true });
  const signingKey = randomBytes(32).toString('base64url');
  writeFileSync(paths.secrets, `${JSON.stringify({ signingKey, createdAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600 });
  return signingKey;
}

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    try {
      return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
    } catch {
      return undefined;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Another `npm start` from the same folder is running: it owns the data directory. */
export class StateInUseError extends Error {
  override readonly name = 'StateInUseError';
}

/**
 * Stops a DynamoDB Local left running by an earlier run that crashed (its pid is in the pid file). Only a
 * process whose command line is DynamoDB Local's is touched, so a reused pid is never killed; and if the
 * run that started it is still alive, nothing is touched and StateInUseError says so (two runtimes must
 * not share one data directory).
 */
export async function stopStaleDynamoDb(paths: StatePaths): Promise<number | undefined> {
  const recorded = readJson(paths.dynamoDbPid);
  const pid = field(recorded, 'pid');
  const owner = field(recorded, 'owner');
  if (
    typeof owner === 'number' &&
    Number.isInteger(owner) &&
    owner > 1 &&
    owner !== process.pid &&
    isAlive(owner) &&
    /node|tsx/.test(commandLineOf(owner) ?? '')
  ) {
    throw new StateInUseError(
      `Kinship is already running from this folder (process ${owner}); stop it first (Ctrl-C in its terminal), or use another KINSHIP_STATE_DIR.`,
    );
  }
  rmSync(paths.dynamoDbPid, { force: true });
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) return undefined;
  if (!commandLineOf(pid)?.includes('DynamoDBLocal')) return undefined;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  return pid;
}

export function writeDynamoDbPid(paths: StatePaths, pid: number, port: number): void {
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(paths.dynamoDbPid, `${JSON.stringify({ pid, port, owner: process.pid, startedAt: new Date().toISOString() })}\n`);
}

export function removeDynamoDbPid(paths: StatePaths): void {
  rmSync(paths.dynamoDbPid, { force: true });
}

export interface SeedMarker {
  seededAt: string;
  customers: number;
  orders: number;
  /** The body of one seeded order: re-posting it (idempotent) returns its incentive-form link. */
  demoOrder: unknown;
}

export function readSeedMarker(paths: StatePaths): SeedMarker | undefined {
  const marker = readJson(paths.seedMarker);
  const seededAt = field(marker, 'seededAt');
  const customers = field(marker, 'customers');
  const orders = field(marker, 'orders');
  if (typeof seededAt !== 'string' || typeof customers !== 'number' || typeof orders !== 'number') return undefined;
  return { seededAt, customers, orders, demoOrder: field(marker, 'demoOrder') };
}

export function writeSeedMarker(paths: StatePaths, marker: SeedMarker): void {
  mkdirSync(paths.dir, { recursive: true });
  writeJsonAtomically(paths.seedMarker, marker);
}

export function seedMarkerExists(paths: StatePaths): boolean {
  return existsSync(paths.seedMarker);
}

/**
 * The instant the demo shop is generated for, recorded before the first order is posted: every later start
 * re-derives the very same shop from it, so re-posting an order is an idempotent replay, whatever the clock says now.
 * Undefined when no seed has started yet; a file that is there but unreadable is a state to reset.
 */
export function readSeedAnchor(paths: StatePaths): Date | undefined {
  if (!existsSync(paths.seedAnchor)) return undefined;
  const anchor = field(readJson(paths.seedAnchor), 'anchor');
  const date = typeof anchor === 'string' ? new Date(anchor) : undefined;
  if (date === undefined || Number.isNaN(date.getTime()) || date.getTime() % 60_000 !== 0) {
    throw new StateNeedsResetError(`The demo seed's record ${paths.seedAnchor} is unreadable`);
  }
  return date;
}

export function writeSeedAnchor(paths: StatePaths, anchor: Date): void {
  mkdirSync(paths.dir, { recursive: true });
  writeJsonAtomically(paths.seedAnchor, { anchor: anchor.toISOString(), writtenAt: new Date().toISOString() });
}

/**
 * `npm start -- --reset`: deletes what this runtime keeps in the state directory (its DynamoDB Local data, key, seed
 * records), after making sure no other run uses it (StateInUseError otherwise) and stopping a DynamoDB Local a crashed
 * run left behind. Only the runtime's own entries go — the directory may be one the developer chose — and the
 * directory itself only if that leaves it empty. Returns what was removed.
 */
export async function resetState(paths: StatePaths): Promise<string[]> {
  await stopStaleDynamoDb(paths);
  const removed: string[] = [];
  for (const [name, path] of Object.entries(paths)) {
    if (name === 'dir' || !existsSync(path)) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  if (existsSync(paths.dir) && readdirSync(paths.dir).length === 0) rmdirSync(paths.dir);
  return removed;
}
