import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { handlerEnvironment } from '#local/handler-environment.ts';
import { handlerEntry, topology } from '#shared/topology.ts';
import { CHECKED_AT_BUILD_MARKER } from '#shared/config/checked-at-build.ts';
import { LAMBDA_BUNDLING, LAMBDA_NODE_OPTIONS, lambdaBundlingFor, repoRoot } from '../infra/app-function.ts';
import { checkConfigForSynth, markerCheckedForSynth } from '../infra/config-gate.ts';
import { machineInfo, sizeFromEnvironment, type BenchReport } from './bench-harness.ts';
import { bundleLambda, bytesByModule, bytesByPackage, type BundleSource, type LambdaBundle } from './support/lambda-bundle.ts';

export const description =
  'cold start: every function bundled as NodejsFunction does, its init (import + module-scope work) in a fresh node, vs a bare DynamoDB document-client handler bundled the same way, with and without --enable-source-maps';

/** Every function's init within this multiple of the bare document-client handler's (issue 14). */
const GOAL = 2;
const ROUNDS = sizeFromEnvironment('COLD_START_ROUNDS', 7, 1);
/** COLD_START_FUNCTIONS=console,show-report measures only those (a quick look at one lever); unset: every function. */
const ONLY = (process.env.COLD_START_FUNCTIONS ?? '')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '');
/** `npm run bench -- cold-start --analyze`: the ten largest modules of every bundle too. */
const ANALYZE = process.argv.includes('--analyze');
const FLAG = '--enable-source-maps';
const BARE = 'bare: DynamoDB document client';

/** What a user would write: one document client at module scope, one GetItem per call. */
const BARE_DOCUMENT_CLIENT = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async (event: { id: string }) => (await client.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: event.id } }))).Item;
`;

/**
 * The fair peer: what a user who follows issue 14's observability requirement writes — the same document client,
 * traced, in a middy handler with Powertools Logger, Metrics and Tracer. No config, no domain code: the floor every
 * Kinship function stands on before it does anything of its own.
 */
const OBSERVED_PEER = 'peer: document client + middy + Powertools Logger/Metrics/Tracer';
/** The peer's one client: it is the floor (observedWithClients) of a function with only the document client and no library. */
const PEER_CLIENTS = ['@aws-sdk/client-dynamodb'];

/** For the per-function context baseline: each SDK client package with its client class and one command it sends. */
const SDK_CLIENTS: Record<string, { client: string; command: string }> = {
  '@aws-sdk/client-dynamodb': { client: 'DynamoDBClient', command: 'GetItemCommand' },
  '@aws-sdk/client-eventbridge': { client: 'EventBridgeClient', command: 'PutEventsCommand' },
  '@aws-sdk/client-sesv2': { client: 'SESv2Client', command: 'SendEmailCommand' },
  '@aws-sdk/client-sqs': { client: 'SQSClient', command: 'SendMessageCommand' },
  '@aws-sdk/client-sns': { client: 'SNSClient', command: 'PublishCommand' },
  '@aws-sdk/client-secrets-manager': { client: 'SecretsManagerClient', command: 'GetSecretValueCommand' },
  '@aws-sdk/client-cognito-identity-provider': { client: 'CognitoIdentityProviderClient', command: 'AdminGetUserCommand' },
};

/** A bare handler with the same SDK clients as a function, each created at module scope and used once per call. */
function bareWithClients(packages: string[]): string {
  const lines: string[] = [];
  const sends: string[] = [];
  packages.forEach((name, i) => {
    const known = SDK_CLIENTS[name];
    if (!known) throw new Error(`bench/cold-start.ts: no bare client for ${name}; add it to SDK_CLIENTS`);
    lines.push(`import { ${known.client} as C${i}, ${known.command} as K${i} } from '${name}';`, `const c${i} = new C${i}({});`);
    sends.push(`c${i}.send(new K${i}(event))`);
  });
  return `${lines.join('\n')}\nexport const handler = async (event: never) => Promise.all([${sends.join(', ')}]);\n`;
}

/**
 * The libraries of the required stack and STACK-NOTES.md a function may load, each with the least use that keeps it in
 * a bundle: zod 4 (the stack's validator, in every function) and Handlebars 4 (the templates the senders render).
 */
const FIELD_LIBRARIES: Record<string, { imports: string; use: string }> = {
  zod: { imports: `import * as z from 'zod';`, use: `z.object({ id: z.string() }).parse(event)` },
  handlebars: { imports: `import Handlebars from 'handlebars';`, use: `Handlebars.compile(event.id)(event)` },
};

/**
 * The floor of one function: what a user writes for a handler with the same SDK clients under issue 14's observability
 * rule (the observed peer above, with each of those clients traced too) and the same field libraries, each used once
 * in the handler. The goal's 2× minus this floor's ratio is what is left for the function's own work: its config, its
 * schemas, its domain code.
 */
function observedWithClients(packages: string[], libraries: string[]): string {
  const lines = [
    `import middy from '@middy/core';`,
    `import { Logger } from '@aws-lambda-powertools/logger';`,
    `import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';`,
    `import { Metrics } from '@aws-lambda-powertools/metrics';`,
    `import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';`,
    `import { Tracer } from '@aws-lambda-powertools/tracer';`,
    `import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';`,
    `import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';`,
    `const logger = new Logger();`,
    `const metrics = new Metrics({ namespace: 'Peer' });`,
    `const tracer = new Tracer();`,
  ];
  const sends: string[] = [];
  for (const name of libraries) {
    const library = FIELD_LIBRARIES[name];
    if (!library) throw new Error(`bench/cold-start.ts: no use of ${name}; add it to FIELD_LIBRARIES`);
    lines.push(library.imports);
    sends.push(library.use);
  }
  packages.forEach((name, i) => {
    const known = SDK_CLIENTS[name];
    if (!known) throw new Error(`bench/cold-start.ts: no bare client for ${name}; add it to SDK_CLIENTS`);
    lines.push(`import { ${known.client} as C${i}, ${known.command} as K${i} } from '${name}';`, `const c${i} = tracer.captureAWSv3Client(new C${i}({}));`);
    sends.push(
      name === '@aws-sdk/client-dynamodb'
        ? `DynamoDBDocumentClient.from(c${i}).send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: event.id } }))`
        : `c${i}.send(new K${i}(event as never))`,
    );
  });
  return `${lines.join('\n')}
export const handler = middy(async (event: { id: string }) => Promise.all([${sends.join(', ')}]))
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
`;
}

/** The names of the packages a bundle holds that `keep` accepts, sorted. */
function packagesIn(bundle: LambdaBundle, keep: (name: string) => boolean): string[] {
  return bytesByPackage(bundle.metafile)
    .map((row) => row.name)
    .filter(keep)
    .sort();
}

/** The field libraries (FIELD_LIBRARIES) a bundle loads. */
const fieldLibrariesOf = (bundle: LambdaBundle) => packagesIn(bundle, (name) => name in FIELD_LIBRARIES);
/** The AWS SDK clients a bundle loads. */
const sdkClientsOf = (bundle: LambdaBundle) => packagesIn(bundle, (name) => name.startsWith('@aws-sdk/client-'));

/** Runs in a fresh node per measurement, as the Lambda runtime would: import the handler module, nothing else. */
const INIT_PROBE = `
const started = performance.now();
const cpu = process.cpuUsage();
const mod = await import(process.argv[2]);
const importMs = performance.now() - started;
const used = process.cpuUsage(cpu);
if (typeof mod.handler !== 'function') { process.stderr.write('the bundle exports no handler function'); process.exit(3); }
process.stdout.write(JSON.stringify({ importMs, cpuMs: (used.user + used.system) / 1000, sinceProcessStartMs: performance.now() }));
process.exit(0);
`;

interface Target {
  name: string;
  kind: 'function' | 'bare' | 'bare-sdk' | 'peer' | 'floor';
  bundle: LambdaBundle;
  /** The bundle's folder: LAMBDA_TASK_ROOT and the cwd, as /var/task is in Lambda. */
  root: string;
  /** For a function: the name of the bare handler with its SDK clients. */
  sdkBaseline?: string;
  /** For a function: the name of its floor, those SDK clients in the observed peer (observedWithClients). */
  floor?: string;
}

interface Sample {
  /** Wall time of the import. */
  importMs: number;
  /** CPU time (all of node's threads) during the import: less disturbed by other work on a shared machine. */
  cpuMs: number;
  /** From process start to the handler being ready (node's own start included). */
  sinceProcessStartMs: number;
}

function isSample(value: unknown): value is Sample {
  return (
    typeof value === 'object' &&
    value !== null &&
    'importMs' in value &&
    typeof value.importMs === 'number' &&
    'cpuMs' in value &&
    typeof value.cpuMs === 'number' &&
    'sinceProcessStartMs' in value &&
    typeof value.sinceProcessStartMs === 'number'
  );
}

/** The environment a handler starts with: what the stack sets (names, endpoints as the local runtime gives them) and what Lambda adds. */
function lambdaEnvironment(target: Target, nodeOptions: string): Record<string, string> {
  const unreachable = 'http://127.0.0.1:9';
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...handlerEnvironment(topology, {
      tableName: 'kinship',
      dynamodb: unreachable,
      eventBusName: 'kinship',
      eventBridge: unreachable,
      ses: unreachable,
      sqs: unreachable,
      queueUrl: (name) => `${unreachable}/000000000000/${name}`,
      publicBaseUrl: 'https://shop.example',
      signingKey: 'cold-start-bench-signing-key-0123456789abcdef',
      region: 'eu-west-1',
      cognito: { issuer: `${unreachable}/local_pool`, clientId: 'client', hostedUiUrl: unreachable },
    }),
    POWERTOOLS_SERVICE_NAME: 'kinship',
    // As deployed: traced and counted (the local runtime turns both off; Lambda pays for loading them at init).
    POWERTOOLS_TRACE_ENABLED: 'true',
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_METRICS_NAMESPACE: 'Kinship',
    LAMBDA_TASK_ROOT: target.root,
    AWS_LAMBDA_FUNCTION_NAME: target.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(topology.functions.find((fn) => fn.name === target.name)?.memoryMb ?? 128),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    _HANDLER: 'index.handler',
    TZ: ':UTC',
    // Node 22 on Lambda prints no SDK end-of-support notice; node 20 here would, at every init.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
  };
}

function measureInit(probe: string, target: Target, nodeOptions: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [probe, target.bundle.file], {
      cwd: target.root,
      env: lambdaEnvironment(target, nodeOptions),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${target.name} failed its init (exit ${code}): ${err.trim().split('\n').slice(0, 6).join(' | ')}`));
      const parsed: unknown = JSON.parse(out);
      if (isSample(parsed)) resolve(parsed);
      else reject(new Error(`${target.name}: unexpected probe output ${out}`));
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

async function bundleTarget(
  work: string,
  name: string,
  kind: Target['kind'],
  source: BundleSource,
  bundling: Omit<BundlingOptions, 'commandHooks'> = LAMBDA_BUNDLING,
): Promise<Target> {
  const root = join(work, name.replace(/[^a-z0-9-]+/gi, '_'));
  // A function's lazy modules (spec.lazyModules) are left out as in its asset; they are not loaded at init.
  const bundle = await bundleLambda(source, root, bundling, repoRoot);
  // As AppFunction's afterBundling hook does: config/ next to the code, read at cold start from $LAMBDA_TASK_ROOT/config,
  // with the marker that the synth gate (run once in run()) passed these files.
  if (kind === 'function') {
    await cp(join(repoRoot, 'config'), join(root, 'config'), { recursive: true });
    const checked = markerCheckedForSynth(join(repoRoot, 'config'));
    if (checked) await writeFile(join(root, 'config', CHECKED_AT_BUILD_MARKER), checked);
  }
  return { name, kind, bundle, root };
}

export async function run(): Promise<BenchReport> {
  // What `cdk synth` does first (infra/app.ts): check config/, so the assets carry the checked-at-build marker.
  checkConfigForSynth(join(repoRoot, 'config'));
  const work = await mkdtemp(join(tmpdir(), 'kinship-cold-start-'));
  try {
    const probe = join(work, 'init-probe.mjs');
    await writeFile(probe, INIT_PROBE);
    const targets: Target[] = [await bundleTarget(work, BARE, 'bare', { contents: BARE_DOCUMENT_CLIENT, sourcefile: 'bare-document-client.ts' })];
    const sdkBaselines = new Map<string, Target>();
    const floors = new Map<string, Target>();
    for (const spec of topology.functions.filter((fn) => ONLY.length === 0 || ONLY.includes(fn.name))) {
      const target = await bundleTarget(work, spec.name, 'function', { entry: join(repoRoot, handlerEntry(spec)) }, lambdaBundlingFor(spec));
      const clients = sdkClientsOf(target.bundle);
      const clientNames = clients.map((name) => name.replace('@aws-sdk/client-', '')).join('+');
      const key = `bare: ${clientNames}`;
      if (!sdkBaselines.has(key))
        sdkBaselines.set(key, await bundleTarget(work, key, 'bare-sdk', { contents: bareWithClients(clients), sourcefile: 'bare-sdk-clients.ts' }));
      target.sdkBaseline = key;
      const libraries = fieldLibrariesOf(target.bundle);
      const floorKey = `floor: ${clientNames} ${libraries.join('+')}`;
      if (!floors.has(floorKey))
        floors.set(
          floorKey,
          await bundleTarget(work, floorKey, 'floor', { contents: observedWithClients(clients, libraries), sourcefile: 'observed-sdk-clients.ts' }),
        );
      target.floor = floorKey;
      targets.push(target);
    }
    targets.push(...sdkBaselines.values(), ...floors.values());
    targets.push(
      await bundleTarget(work, OBSERVED_PEER, 'peer', { contents: observedWithClients(PEER_CLIENTS, []), sourcefile: 'observed-document-client.ts' }),
    );

    // Paired and interleaved: every round measures every other bundle right after (or before) the bare handler, in both
    // modes, the order rotating, so each ratio compares two inits that ran moments apart on the same busy machine.
    const modes = ['', FLAG];
    const bare = targets[0];
    if (!bare) throw new Error('no bare bundle');
    const others = targets.slice(1);
    const samples = new Map<string, Sample[]>();
    const ratios = new Map<string, { wall: number; cpu: number }[]>();
    const key = (name: string, mode: string) => `${name}\u0000${mode}`;
    const push = <T>(map: Map<string, T[]>, k: string, value: T) => map.set(k, [...(map.get(k) ?? []), value]);
    let measured = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < others.length; i++) {
        const target = others[(i + round) % others.length];
        if (!target) continue;
        for (const mode of (round + i) % 2 === 0 ? modes : [...modes].reverse()) {
          const bareFirst = (round + i) % 2 === 0;
          const first = await measureInit(probe, bareFirst ? bare : target, mode);
          const second = await measureInit(probe, bareFirst ? target : bare, mode);
          const [baseline, sample] = bareFirst ? [first, second] : [second, first];
          push(samples, key(bare.name, mode), baseline);
          push(samples, key(target.name, mode), sample);
          push(ratios, key(target.name, mode), { wall: sample.importMs / baseline.importMs, cpu: sample.cpuMs / baseline.cpuMs });
          measured += 2;
        }
      }
    }
    const medianOf = (name: string, mode: string, pick: (s: Sample) => number) => median((samples.get(key(name, mode)) ?? []).map(pick));
    const ratioOf = (name: string, mode: string, pick: 'wall' | 'cpu') =>
      name === bare.name ? 1 : median((ratios.get(key(name, mode)) ?? []).map((r) => r[pick]));

    const deployedMode = LAMBDA_NODE_OPTIONS.includes(FLAG) ? FLAG : '';
    const modeName = (mode: string) => mode || 'no flags';
    const rows = targets.map((target) => {
      const init = Object.fromEntries(
        modes.map((mode) => {
          const sdk = target.sdkBaseline;
          return [
            modeName(mode),
            {
              wallMs: round1(medianOf(target.name, mode, (s) => s.importMs)),
              cpuMs: round1(medianOf(target.name, mode, (s) => s.cpuMs)),
              processReadyMs: round1(medianOf(target.name, mode, (s) => s.sinceProcessStartMs)),
              ratioToBare: { wall: round2(ratioOf(target.name, mode, 'wall')), cpu: round2(ratioOf(target.name, mode, 'cpu')) },
              ...(sdk ? { cpuRatioToBareWithSameClients: round2(medianOf(target.name, mode, (s) => s.cpuMs) / medianOf(sdk, mode, (s) => s.cpuMs)) } : {}),
              ...(target.kind === 'function'
                ? { cpuRatioToObservedPeer: round2(medianOf(target.name, mode, (s) => s.cpuMs) / medianOf(OBSERVED_PEER, mode, (s) => s.cpuMs)) }
                : {}),
              ...(target.floor
                ? {
                    floorCpuRatioToBare: round2(ratioOf(target.floor, mode, 'cpu')),
                    cpuRatioToFloor: round2(medianOf(target.name, mode, (s) => s.cpuMs) / medianOf(target.floor, mode, (s) => s.cpuMs)),
                  }
                : {}),
            },
          ];
        }),
      );
      return {
        name: target.name,
        kind: target.kind,
        bundleBytes: target.bundle.bytes,
        sourceMapBytes: target.bundle.sourceMapBytes,
        sdkClients: sdkClientsOf(target.bundle),
        ...(target.sdkBaseline ? { sdkBaseline: target.sdkBaseline } : {}),
        ...(target.floor ? { floor: target.floor } : {}),
        init,
        topPackages: bytesByPackage(target.bundle.metafile).slice(0, 8),
        ...(ANALYZE ? { topModules: bytesByModule(target.bundle.metafile).slice(0, 10) } : {}),
      };
    });

    const functions = rows.filter((row) => row.kind === 'function');
    const worst = (mode: string, pick: 'wall' | 'cpu') => Math.max(...functions.map((row) => row.init[modeName(mode)]?.ratioToBare[pick] ?? NaN));
    const met = worst(deployedMode, 'cpu') <= GOAL && worst(deployedMode, 'wall') <= GOAL;
    // By CPU, the steadier measure on a shared machine: which functions are within the goal, and which floors are not.
    const withinGoal = functions.filter((row) => (row.init[modeName(deployedMode)]?.ratioToBare.cpu ?? Infinity) <= GOAL).map((row) => row.name);
    const peer = rows.find((row) => row.kind === 'peer')?.init[modeName(deployedMode)];
    const peerRatios = functions.map((row) => row.init[modeName(deployedMode)]?.cpuRatioToObservedPeer ?? NaN);
    // Per function: its floor (same SDK clients, observed) as a multiple of the bare handler, and the goal's room above it.
    const floorRows = functions.map((row) => {
      const m = row.init[modeName(deployedMode)];
      const floor = m?.floorCpuRatioToBare ?? NaN;
      return { name: row.name, floorCpuRatioToBare: floor, roomUnderGoal: round2(GOAL - floor), cpuRatioToFloor: m?.cpuRatioToFloor ?? NaN };
    });
    const floorsAboveGoal = floorRows.filter((r) => r.floorCpuRatioToBare > GOAL).map((r) => r.name);
    const floorRange = (pick: (r: (typeof floorRows)[number]) => number) =>
      `${round2(Math.min(...floorRows.map(pick)))}–${round2(Math.max(...floorRows.map(pick)))}`;
    const cell = (row: (typeof rows)[number], mode: string) => {
      const m = row.init[modeName(mode)];
      return m ? `${`${m.cpuMs}`.padStart(7)} ${`${m.ratioToBare.cpu}`.padStart(5)} ${`${m.ratioToBare.wall}`.padStart(5)}` : '?';
    };
    const summary = [
      `${targets.length} bundles (${functions.length} functions, ${targets.length - functions.length} baselines), ${ROUNDS} rounds, ${measured} fresh node processes (${process.version}), each bundle paired with the bare document-client handler`,
      `init = import of the bundle with its module-scope work; ms = median CPU ms of that import; ratios = median of paired ratios to the bare handler (CPU, wall)`,
      `${'bundle'.padEnd(30)} ${'size'.padStart(7)} ${'map'.padStart(7)} | no flags: ${'ms'.padStart(5)} ${'cpu×'.padStart(5)} ${'wall×'.padStart(5)} | ${FLAG}: ${'ms'.padStart(5)} ${'cpu×'.padStart(5)} ${'wall×'.padStart(5)} | largest packages`,
      ...rows.map((row) => {
        const top = row.topPackages
          .slice(0, 3)
          .map((p) => `${p.name} ${kb(p.bytes)}`)
          .join(', ');
        return `${row.name.slice(0, 30).padEnd(30)} ${kb(row.bundleBytes).padStart(7)} ${kb(row.sourceMapBytes).padStart(7)} |    ${cell(row, '')} |                 ${cell(row, FLAG)} | ${top}`;
      }),
      `worst function / bare (cpu, wall): ${round2(worst('', 'cpu'))}, ${round2(worst('', 'wall'))} without ${FLAG}; ${round2(worst(FLAG, 'cpu'))}, ${round2(worst(FLAG, 'wall'))} with it`,
      `deployed NODE_OPTIONS "${LAMBDA_NODE_OPTIONS}": goal every function ≤ ${GOAL}× the bare handler: ${met ? 'met' : 'NOT met'}; within it by CPU: ${withinGoal.length} of ${functions.length} (${withinGoal.join(', ')})`,
      `the observability floor (${OBSERVED_PEER}) alone: ${peer?.ratioToBare.cpu}× the bare handler's CPU; functions ÷ that peer: ${round2(Math.min(...peerRatios))}–${round2(Math.max(...peerRatios))}`,
      `each function's floor (its own SDK clients, traced, in that peer, with the field libraries it loads): ${floorRange((r) => r.floorCpuRatioToBare)}× the bare handler, leaving ${floorRange((r) => r.roomUnderGoal)}× under the goal for config, schemas and domain code; functions ÷ their floor: ${floorRange((r) => r.cpuRatioToFloor)}`,
      `floors above the goal by themselves: ${floorsAboveGoal.join(', ') || 'none'}`,
      ...floorRows.map(
        (r) =>
          `  ${r.name.padEnd(20)} floor ${`${r.floorCpuRatioToBare}`.padStart(5)}×  room ${`${r.roomUnderGoal}`.padStart(5)}×  function ÷ floor ${`${r.cpuRatioToFloor}`.padStart(5)}`,
      ),
      ...(ANALYZE
        ? rows.map((row) => `${row.name}: ${(row.topModules ?? []).map((m) => `${m.name.replace(/^.*node_modules\//, '')} ${kb(m.bytes)}`).join(', ')}`)
        : ['(npm run bench -- cold-start --analyze lists the ten largest modules of every bundle)']),
    ];
    return {
      summary,
      result: {
        machine: machineInfo(),
        date: new Date().toISOString(),
        rounds: ROUNDS,
        goal: {
          maxRatioToBare: GOAL,
          deployedNodeOptions: LAMBDA_NODE_OPTIONS,
          worstRatio: { cpu: round2(worst(deployedMode, 'cpu')), wall: round2(worst(deployedMode, 'wall')) },
          met,
          withinGoal,
          floorsAboveGoal,
          observedPeer: {
            name: OBSERVED_PEER,
            cpuRatioToBare: peer?.ratioToBare.cpu ?? null,
            functionsCpuRatioToPeer: { best: round2(Math.min(...peerRatios)), worst: round2(Math.max(...peerRatios)) },
          },
          floors: floorRows,
        },
        worstRatio: Object.fromEntries(modes.map((mode) => [modeName(mode), { cpu: round2(worst(mode, 'cpu')), wall: round2(worst(mode, 'wall')) }])),
        method:
          'esbuild JS API with infra/app-function.ts LAMBDA_BUNDLING (as NodejsFunction); each measurement a fresh `node probe.mjs bundle` with cwd and LAMBDA_TASK_ROOT = the bundle folder (config/ copied beside it), the handler environment of local/handler-environment.ts, endpoints unreachable; init = the import() of the bundle until it resolves; every bundle paired with the bare handler in each round and mode (alternating which runs first); ratio = median of the paired ratios',
        bundles: rows,
      },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
