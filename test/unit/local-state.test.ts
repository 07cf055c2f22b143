import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey, statePaths, StateInUseError, stopStaleDynamoDb } from '#local/state.ts';

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
});
