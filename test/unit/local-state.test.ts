import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  loadOrCreateSigningKey,
  readSeedAnchor,
  resetState,
  StateNeedsResetError,
  statePaths,
  StateInUseError,
  stopStaleDynamoDb,
  writeSeedAnchor,
  writeSeedMarker,
} from '#local/state.ts';

const dirs: string[] = [];
function freshState() {
  const dir = mkdtempSync(join(tmpdir(), 'kinship-state-'));
  dirs.push(dir);
  return statePaths(dir);
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A pid no process has any more. */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$']);
  return Number(child.stdout.toString().trim());
}

describe('local state under .kinship/', () => {
  it('keeps the generated signing key across starts', () => {
    const paths = freshState();
    const key = loadOrCreateSigningKey(paths);
    expect(key.length).toBeGreaterThanOrEqual(32);
    expect(loadOrCreateSigningKey(paths)).toBe(key);
  });

  it('refuses to start while the run that owns the data directory is alive, touching nothing', async () => {
    const paths = freshState();
    // The vitest main process stands in for a running `npm start` (a live node process that is not this one).
    writeFileSync(paths.dynamoDbPid, JSON.stringify({ pid: deadPid(), port: 8000, owner: process.ppid }));
    await expect(stopStaleDynamoDb(paths)).rejects.toBeInstanceOf(StateInUseError);
    expect(existsSync(paths.dynamoDbPid)).toBe(true);
  });

  it('after a crashed run, never kills a reused pid that is not DynamoDB Local', async () => {
    const paths = freshState();
    const bystander = spawn('sleep', ['30']);
    const pid = bystander.pid;
    if (pid === undefined) throw new Error('could not start the bystander process');
    try {
      writeFileSync(paths.dynamoDbPid, JSON.stringify({ pid, port: 8000, owner: deadPid() }));
      expect(await stopStaleDynamoDb(paths)).toBeUndefined();
      expect(bystander.exitCode).toBeNull();
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(existsSync(paths.dynamoDbPid)).toBe(false);
    } finally {
      bystander.kill();
    }
  });

  it("keeps the demo seed's anchor exactly, and calls an unreadable one a state to reset, naming the fix", () => {
    const paths = freshState();
    expect(readSeedAnchor(paths)).toBeUndefined();
    writeSeedAnchor(paths, new Date('2026-12-03T17:44:00Z'));
    expect(readSeedAnchor(paths)?.toISOString()).toBe('2026-12-03T17:44:00.000Z');
    writeFileSync(paths.seedAnchor, '{"anchor": "half a da');
    expect(() => readSeedAnchor(paths)).toThrow(StateNeedsResetError);
    expect(() => readSeedAnchor(paths)).toThrow(/npm start -- --reset \(or delete the state directory: rm -rf \.kinship, or the KINSHIP_STATE_DIR you set\)/);
  });
});

describe('npm start -- --reset', () => {
  function filledState() {
    const paths = freshState();
    loadOrCreateSigningKey(paths);
    mkdirSync(paths.dynamoDbData);
    writeFileSync(join(paths.dynamoDbData, 'shared-local-instance.db'), 'table data');
    writeSeedAnchor(paths, new Date('2026-12-03T17:44:00Z'));
    writeSeedMarker(paths, { seededAt: '2026-12-03T17:45:00Z', customers: 40, orders: 248, demoOrder: undefined });
    mkdirSync(paths.cognito);
    writeFileSync(join(paths.cognito, 'local_demo.json'), '{"Users":{}}');
    return paths;
  }

  it('deletes the table data, the seed records and the staff sign-in pool, so the next start seeds afresh', async () => {
    const paths = filledState();
    const removed = await resetState(paths);
    expect(removed).toEqual(expect.arrayContaining([paths.dynamoDbData, paths.seedAnchor, paths.seedMarker, paths.secrets, paths.cognito]));
    expect(existsSync(paths.dir)).toBe(false);
  });

  it('deletes only its own entries from a state directory the developer chose', async () => {
    const paths = filledState();
    writeFileSync(join(paths.dir, 'notes.txt'), 'mine');
    await resetState(paths);
    expect(readdirSync(paths.dir)).toEqual(['notes.txt']);
  });

  it('refuses while another run uses the state directory, deleting nothing', async () => {
    const paths = filledState();
    writeFileSync(paths.dynamoDbPid, JSON.stringify({ pid: deadPid(), port: 8000, owner: process.ppid }));
    await expect(resetState(paths)).rejects.toBeInstanceOf(StateInUseError);
    expect(existsSync(paths.dynamoDbData)).toBe(true);
    expect(readSeedAnchor(paths)).toBeDefined();
  });
});
