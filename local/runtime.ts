/**
 * The whole pipeline on this machine, wired from the same topology the CDK stack deploys: DynamoDB Local,
 * the SES emulator, the event bus (behind a PutEvents endpoint), the scheduler, the SQS queues (behind an
 * SQS endpoint) and the HTTP API — each invoking the real handlers in process. `npm start` (start.ts) and the
 * integration tests both call `startLocalRuntime`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { httpRoutes, topology as defaultTopology, type Topology } from '#shared/topology.ts';
import { compileRoute } from '#local/api-gateway-event.ts';
import { freePort } from '#local/free-port.ts';
import { createClock, type Clock } from '#local/clock.ts';
import { assertPortFree, ensureTable, startDynamoDbLocal, type DynamoDbLocal } from '#local/dynamodb-local.ts';
import { createEventBus, rulesOf, type LocalEventBus } from '#local/event-bus.ts';
import { createFunctionRegistry, type FunctionRegistry, type LambdaHandler, type LocalAws } from '#local/functions.ts';
import { CLEARED_VARIABLES, handlerEnvironment } from '#local/handler-environment.ts';
import { startHttpServer, type RouteTarget } from '#local/http-server.ts';
import { indexPage } from '#local/index-page.ts';
import { createLocalLog, type LocalLog } from '#local/local-log.ts';
import { startPutEventsEndpoint } from '#local/put-events-endpoint.ts';
import { createQueues, type LocalQueues } from '#local/queues.ts';
import { createScheduler, schedulesOf, type Firing, type LocalScheduler } from '#local/scheduler.ts';
import { loadDemoPools } from '#local/demo-pool.ts';
import { postPurchase, seedDemoShop, type SeedResult, type SeedStage } from '#local/seed-demo-shop.ts';
import { startMailboxSimulator } from '#local/mailbox-simulator.ts';
import { sesFaultsFromEnvironment } from '#local/ses-faults.ts';
import { trackingReply } from '#local/tracking.ts';
import { summarizeEmail } from '#local/email-kind.ts';
import { startSqsEndpoint } from '#local/sqs-endpoint.ts';
import { DEMO_STAFF, startCognitoLocal } from '#local/cognito-local.ts';
import { setClockSource } from '#shared/runtime/clock.ts';
import {
  loadOrCreateSigningKey,
  readSeedAnchor,
  readSeedMarker,
  removeDynamoDbPid,
  StateNeedsResetError,
  statePaths,
  stopStaleDynamoDb,
  writeDynamoDbPid,
  writeSeedAnchor,
  writeSeedMarker,
  type StatePaths,
} from '#local/state.ts';
import { loadSubmission } from '#shared/capture/order-context.ts';
import { confirmUrlFor } from '#shared/capture/signed-links.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';

export const DEFAULT_API_KEY = 'kinship-local-key';
export const DEFAULT_PORTS = { http: 3000, dynamodb: 8000, ses: 8005, events: 8010, sqs: 8011 } as const;
/** The environment variable `npm start` reads each port from, named in "port in use" errors. */
export const PORT_VARIABLES = { http: 'PORT', dynamodb: 'DYNAMODB_PORT', ses: 'SES_PORT', events: 'EVENTS_PORT', sqs: 'SQS_PORT' } as const;

/** The Cognito emulator's default port (`COGNITO_PORT`); in-memory runtimes (tests) pick a free one. */
export const DEFAULT_COGNITO_PORT = 9229;

export interface LocalRuntimeOptions {
  /** Port of the Cognito emulator, started when a function verifies staff sign-in; 0 picks a free one. */
  cognitoPort?: number;
  /** Repository root (handlers are loaded from `<root>/functions/<name>/handler.ts`). */
  rootDir?: string;
  /** The topology to run; tests inject their own. Defaults to shared/topology.ts. */
  topology?: Topology;
  /** In-process handlers that replace `functions/<name>/handler.ts` for the named functions (tests). */
  handlers?: Record<string, LambdaHandler>;
  /** Ports; 0 picks a free one. Defaults: http 3000, dynamodb 8000, ses 8005, events 8010, sqs 8011. */
  ports?: Partial<Record<keyof typeof DEFAULT_PORTS, number>>;
  /** Interface to listen on; loopback by default so nothing is exposed to the network. */
  host?: string;
  /** DynamoDB Local in memory (nothing persisted, no pid file) instead of under `<stateDir>/dynamodb`. */
  inMemory?: boolean;
  /** Use this already running DynamoDB (Local) instead of starting one (tests share the global one); implies `inMemory`'s no-state behaviour. */
  dynamoDbEndpoint?: string;
  /** Where persistent state lives; default `<root>/.kinship`. */
  stateDir?: string;
  tableName?: string;
  /** Seed the demo shop (first run only, unless in memory). Default false. */
  seed?: boolean;
  /** Seeding progress: orders posted, then customers through the form (see seedDemoShop). */
  onSeedProgress?: (done: number, total: number, stage: SeedStage) => void;
  /** `real` follows the wall clock (shifted to `now` if given); `manual` only moves with advanceTo. Default real. */
  clock?: { mode: 'real' | 'manual'; now?: Date | undefined };
  /** Fire schedules as real time passes. Default: on for a real clock, off for a manual one. */
  tickSchedules?: boolean;
  apiKey?: string;
  /** Link-signing key; default: generated once into `<stateDir>/secrets.json` (a fresh random one when in memory). */
  signingKey?: string;
  log?: LocalLog;
  /** Waits before retrying a failed event delivery; default [200, 1000] ms. */
  busRetryDelaysMs?: number[];
}

export interface LocalRuntime {
  urls: { api: string; inbox: string; ses: string; dynamodb: string; events: string; sqs: string };
  apiKey: string;
  tableName: string;
  clock: Clock;
  bus: LocalEventBus;
  scheduler: LocalScheduler;
  queues: LocalQueues & { url(name: string): string };
  functions: FunctionRegistry;
  seed: SeedResult | undefined;
  /** Where the start's time went (ms): services up (DynamoDB Local dominates), handlers loaded, demo shop seeded. */
  timings: { servicesMs: number; handlersMs: number; seedMs: number };
  /** One incentive-form link from the demo shop, if seeding ran (or had run before). */
  demoFormUrl: string | undefined;
  /** Staff sign-in (the Cognito emulator), when a function of the topology needs it: issuer, client and the demo users. */
  cognito: { issuer: string; clientId: string; url: string; demoUsers: typeof DEMO_STAFF } | undefined;
  /** Pid of the DynamoDB Local Java process this runtime started (undefined with `dynamoDbEndpoint`). */
  dynamoDbPid: number | undefined;
  /** Moves the clock to `date`, firing due schedules in order, then waits until the bus and queues are idle. */
  advanceTo(date: Date): Promise<Firing[]>;
  /** Jumps the clock to `date`, firing each schedule once for what it missed (see LocalScheduler.jumpTo), then waits until idle. */
  jumpTo(date: Date): Promise<Firing[]>;
  /** Waits until no event delivery or queue batch is in flight. */
  idle(): Promise<void>;
  /** Stops everything this runtime started, DynamoDB Local's Java process included. Idempotent. */
  stop(): Promise<void>;
}

const AWS: LocalAws = { region: process.env.AWS_REGION ?? 'eu-west-1', accountId: '000000000000' };
const EVENT_BUS_NAME = 'kinship';

/**
 * The order of a stop: first nothing new comes in (HTTP, schedules), then in-flight queue batches and event
 * deliveries finish — while the endpoints and the table they need are still up — then the endpoints, then
 * DynamoDB Local. Stopping the table first would fail the last deliveries with ECONNREFUSED.
 */
const STOP_ORDER = { intake: 0, 'drain-queues': 1, 'drain-bus': 2, endpoints: 3, storage: 4 } as const;
interface Cleanup {
  name: string;
  stage: keyof typeof STOP_ORDER;
  run: () => Promise<void>;
}

/** Handlers keep their SDK clients at module scope, so a process can host them for one set of endpoints only. */
let activeRuntime = false;
let loadedHandlerEnvironment: string | undefined;

export function repositoryRoot(): string {
  return dirname(dirname(fileURLToPath(import.meta.url)));
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  if (activeRuntime) throw new Error('A local runtime is already running in this process; stop it first (handlers hold their clients per process).');
  activeRuntime = true;
  const cleanups: Cleanup[] = [];
  const runCleanups = async (log: LocalLog) => {
    // Stable sort: parts of one stage stop in reverse start order.
    for (const cleanup of cleanups
      .splice(0)
      .reverse()
      .sort((a, b) => STOP_ORDER[a.stage] - STOP_ORDER[b.stage])) {
      try {
        await cleanup.run();
      } catch (error) {
        log.error('stopping a part of the local runtime failed', { part: cleanup.name, error: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  const log = options.log ?? createLocalLog();
  try {
    return await start(options, log, cleanups, runCleanups);
  } catch (error) {
    await runCleanups(log);
    activeRuntime = false;
    throw error;
  }
}

async function start(options: LocalRuntimeOptions, log: LocalLog, cleanups: Cleanup[], runCleanups: (log: LocalLog) => Promise<void>): Promise<LocalRuntime> {
  const rootDir = options.rootDir ?? repositoryRoot();
  const topology = options.topology ?? defaultTopology;
  const host = options.host ?? '127.0.0.1';
  const port = (name: keyof typeof DEFAULT_PORTS) => options.ports?.[name] ?? DEFAULT_PORTS[name];
  const paths = statePaths(options.stateDir ?? join(rootDir, '.kinship'));
  const tableName = options.tableName ?? 'kinship';
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const external = options.dynamoDbEndpoint;
  // Nothing under stateDir is read or written unless this runtime owns a persisted DynamoDB Local.
  const inMemory = (options.inMemory ?? false) || external !== undefined;
  const signingKey = options.signingKey ?? (inMemory ? randomBytes(32).toString('base64url') : loadOrCreateSigningKey(paths));
  const clock = createClock({ mode: options.clock?.mode ?? 'real', start: options.clock?.now });
  // Handlers ask shared/runtime/clock.ts for "now": a shifted or jumped real clock reaches them too. A manual
  // clock (tests) stays out of it, so those tests may move the handlers' time with vi.setSystemTime.
  if (clock.mode === 'real') setClockSource(() => clock.now().getTime());
  cleanups.push({ name: 'handler clock', stage: 'storage', run: async () => setClockSource(undefined) });
  const control: { jumpTo?: (date: Date) => Promise<Firing[]> } = {};

  // Validate the topology's rules, schedules and queue wiring before starting anything slow.
  const rules = rulesOf(topology);
  const schedules = schedulesOf(topology);

  // A taken port fails the start now, not after DynamoDB Local's seconds of start-up.
  const fixedPorts = (['http', 'ses', 'events', 'sqs'] as const).filter((name) => port(name) !== 0);
  await Promise.all(fixedPorts.map((name) => assertPortFree(port(name), PORT_VARIABLES[name], host)));

  // 1. DynamoDB Local (the slow part, ~2.5 s), cleaning up after a crashed earlier run first.
  if (!inMemory) {
    const stale = await stopStaleDynamoDb(paths);
    if (stale !== undefined) log.warn('stopped a DynamoDB Local left running by an earlier run', { pid: stale });
  }
  // If this process exits without stop() (an uncaught error, a forced exit), dynamodb-local.ts kills the Java process.
  const dynamoDbPort = external ? 0 : port('dynamodb') === 0 ? await freePort(host) : port('dynamodb');
  const startedAt = performance.now();
  const dynamoDbStarting: Promise<Pick<DynamoDbLocal, 'endpoint' | 'stop'> & { pid: number | undefined }> = external
    ? Promise.resolve({ endpoint: external, pid: undefined, stop: () => Promise.resolve() })
    : startDynamoDbLocal({ port: dynamoDbPort, dataDir: inMemory ? undefined : paths.dynamoDbData }).then((db) => ({
        endpoint: db.endpoint,
        pid: db.process.pid,
        stop: db.stop,
      }));

  // 2. Meanwhile, the function registry, bus, queues and the servers in front of them.
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const loaded: { registry: FunctionRegistry | undefined } = { registry: undefined };
  const invoke = async (name: string, event: unknown, requestId?: string): Promise<unknown> => {
    await ready;
    if (!loaded.registry) throw new Error('The local runtime is not ready');
    if (!sendsEmail.has(name)) return loaded.registry.invoke(name, event, requestId ? { requestId } : {});
    sending++;
    try {
      return await loaded.registry.invoke(name, event, requestId ? { requestId } : {});
    } finally {
      sending--;
      sesEvents.release();
    }
  };
  // SES events of the mailbox simulator wait while a function that sends email runs, as SES's arrive seconds later.
  const sendsEmail = new Set(topology.functions.filter((fn) => fn.access.sendEmail).map((fn) => fn.name));
  let sending = 0;
  const sesEvents: { release: () => void } = { release: () => undefined };

  const bus = createEventBus({
    rules,
    invoke: (name, payload) => invoke(name, payload),
    log,
    ...(options.busRetryDelaysMs ? { retryDelaysMs: options.busRetryDelaysMs } : {}),
  });
  cleanups.push({ name: 'event bus', stage: 'drain-bus', run: () => bus.stop() });
  const queues = createQueues({ topology, clock, aws: AWS, invoke: (name, event: SQSEvent) => invoke(name, event), log });
  cleanups.push({ name: 'queues', stage: 'drain-queues', run: () => queues.stop() });

  const sesFaults = sesFaultsFromEnvironment();
  const sesStarting = startMailboxSimulator({
    port: port('ses'),
    host,
    emulator: { onEmail: (email) => log.info('email sent', { ...summarizeEmail(email, signingKey, clock.now()) }) },
    region: AWS.region,
    accountId: AWS.accountId,
    signingKey,
    trackingBaseUrl: () => apiUrl,
    now: () => clock.now(),
    publish: (events) => bus.publish(events, 'default'),
    holding: () => sending > 0,
    // KINSHIP_SES_FAULTS: throttling and timeouts on purpose (ses-faults.ts); also settable at /_local/ses/faults.
    ...(sesFaults ? { faults: sesFaults } : {}),
  });
  const eventsStarting = startPutEventsEndpoint({ port: port('events'), onEvents: (events) => bus.publish(events), region: AWS.region });
  const sqsStarting = startSqsEndpoint({ port: port('sqs'), host, queues, aws: AWS });
  const routes = httpRoutes(topology).map(({ fn, route }) => compileRoute<RouteTarget>(route.method, route.path, { functionName: fn.name, auth: route.auth }));
  let demoFormUrl: string | undefined;
  let apiUrl = '';
  let inboxUrl = '';
  const httpStarting = startHttpServer({
    host,
    port: port('http'),
    routes,
    apiKey,
    api: { accountId: AWS.accountId, apiId: 'local', stage: '$default' },
    invoke: (name, event, requestId) => invoke(name, event, requestId),
    log,
    localPage: (method, rawPath, request) =>
      rawPath.startsWith('/_t/')
        ? sesStarting.then((simulator) => trackingReply(rawPath, signingKey, clock.now(), (action) => simulator.track(action)))
        : method === 'POST' && rawPath === '/_local/clock'
          ? moveClock(request, clock, control.jumpTo)
          : method === 'GET' && rawPath === '/'
            ? {
                statusCode: 200,
                headers: [
                  ['content-type', 'text/html; charset=utf-8'],
                  ['cache-control', 'no-store'],
                ],
                body: Buffer.from(
                  indexPage({
                    apiUrl,
                    inboxUrl,
                    demoFormUrl,
                    apiKeyHint: apiKey === DEFAULT_API_KEY ? apiKey : '$KINSHIP_API_KEY',
                    routes: routes.map((r) => ({ method: r.method, path: r.path, auth: r.target.auth, functionName: r.target.functionName })),
                  }),
                ),
              }
            : undefined,
  });

  const settled = await Promise.allSettled([dynamoDbStarting, sesStarting, eventsStarting, sqsStarting, httpStarting]);
  const servicesUpAt = performance.now();
  const [dbResult, sesResult, eventsResult, sqsResult, httpResult] = settled;
  if (dbResult.status === 'fulfilled') {
    const started = dbResult.value;
    if (!inMemory && started.pid !== undefined) writeDynamoDbPid(paths, started.pid, dynamoDbPort);
    cleanups.push({
      name: 'DynamoDB Local',
      stage: 'storage',
      run: async () => {
        await started.stop();
        if (!inMemory) removeDynamoDbPid(paths);
      },
    });
  }
  if (sesResult.status === 'fulfilled') cleanups.push({ name: 'SES emulator', stage: 'endpoints', run: () => sesResult.value.stop() });
  if (eventsResult.status === 'fulfilled') cleanups.push({ name: 'PutEvents endpoint', stage: 'endpoints', run: () => eventsResult.value.stop() });
  if (sqsResult.status === 'fulfilled') cleanups.push({ name: 'SQS endpoint', stage: 'endpoints', run: () => sqsResult.value.stop() });
  if (httpResult.status === 'fulfilled') cleanups.push({ name: 'HTTP server', stage: 'intake', run: () => httpResult.value.stop() });
  const failure = settled.find((r) => r.status === 'rejected');
  if (
    failure ||
    dbResult.status !== 'fulfilled' ||
    sesResult.status !== 'fulfilled' ||
    eventsResult.status !== 'fulfilled' ||
    sqsResult.status !== 'fulfilled' ||
    httpResult.status !== 'fulfilled'
  ) {
    throw failure?.status === 'rejected' ? failure.reason : new Error('The local runtime failed to start');
  }
  const dynamodb = dbResult.value;
  const ses = sesResult.value;
  sesEvents.release = () => ses.release();
  const events = eventsResult.value;
  const sqs = sqsResult.value;
  const http = httpResult.value;
  apiUrl = http.url;
  inboxUrl = ses.inboxUrl;

  // Staff sign-in: the Cognito emulator, once the server's URL (its callback) is known. Its data persists next to
  // the table's; an in-memory runtime gets a throwaway directory and a free port.
  let cognito: LocalRuntime['cognito'];
  if (topology.functions.some((fn) => fn.access.staffSignIn)) {
    const cognitoDir = inMemory ? mkdtempSync(join(tmpdir(), 'kinship-cognito-')) : paths.cognito;
    const wantedPort = options.cognitoPort ?? (inMemory ? 0 : DEFAULT_COGNITO_PORT);
    const emulator = await startCognitoLocal({
      port: wantedPort === 0 ? await freePort(host) : wantedPort,
      host,
      dataDir: cognitoDir,
      callbackUrl: `${http.url}/console/callback`,
      signOutUrl: `${http.url}/console/signed-out`,
    });
    cleanups.push({
      name: 'Cognito emulator',
      stage: 'endpoints',
      run: async () => {
        await emulator.stop();
        if (inMemory) rmSync(cognitoDir, { recursive: true, force: true });
      },
    });
    cognito = { issuer: emulator.issuer, clientId: emulator.clientId, url: emulator.endpoint, demoUsers: DEMO_STAFF };
  }

  // 3. The table, then the handlers' environment, then the handlers themselves (a bad config fails here).
  await ensureTable(dynamodb.endpoint, tableName);
  const environment = handlerEnvironment(topology, {
    tableName,
    dynamodb: dynamodb.endpoint,
    eventBusName: EVENT_BUS_NAME,
    eventBridge: events.endpoint,
    ses: ses.endpoint,
    sqs: sqs.endpoint,
    queueUrl: sqs.queueUrl,
    publicBaseUrl: http.url,
    signingKey,
    region: AWS.region,
    ...(cognito ? { cognito: { issuer: cognito.issuer, clientId: cognito.clientId, hostedUiUrl: cognito.url } } : {}),
  });
  const fingerprint = JSON.stringify(environment);
  const loadsFromFiles = topology.functions.some((fn) => !options.handlers?.[fn.name]);
  if (loadsFromFiles && loadedHandlerEnvironment !== undefined && loadedHandlerEnvironment !== fingerprint) {
    throw new Error(
      'Handlers were already loaded in this process for other endpoints; run each local runtime in its own process (vitest runs each test file in its own).',
    );
  }
  for (const name of CLEARED_VARIABLES) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, environment);
  const functions = createFunctionRegistry({ topology, rootDir, aws: AWS, handlers: options.handlers });
  await functions.loadAll();
  const handlersLoadedAt = performance.now();
  loaded.registry = functions;
  if (loadsFromFiles) loadedHandlerEnvironment = fingerprint;
  markReady();

  // 4. The scheduler (ticking starts after seeding, so the first segment run sees the demo shop).
  const scheduler = createScheduler({ schedules, clock, aws: AWS, invoke: (name, payload) => invoke(name, payload), log });
  cleanups.push({ name: 'scheduler', stage: 'intake', run: () => scheduler.stop() });

  const jumpTo = async (date: Date): Promise<Firing[]> => {
    const fired = await scheduler.jumpTo(date);
    await idle();
    return fired;
  };
  control.jumpTo = jumpTo;

  const idle = async () => {
    for (let pass = 0; pass < 100; pass++) {
      await bus.idle();
      await queues.idle();
      await new Promise((resolve) => setImmediate(resolve));
      if (!bus.busy() && !queues.busy()) return;
    }
  };

  // 5. The demo shop, through the real API.
  let seed: SeedResult | undefined;
  if (options.seed) {
    const marker = inMemory ? undefined : readSeedMarker(paths);
    if (marker) {
      if (marker.demoOrder !== undefined) {
        demoFormUrl = await postPurchase(http.url, apiKey, marker.demoOrder).catch((error: unknown) => {
          log.warn('could not re-create the demo form link', { error: error instanceof Error ? error.message : String(error) });
          return undefined;
        });
      }
    } else {
      seed = await seedOnce({
        paths,
        inMemory,
        clock,
        apiUrl: http.url,
        apiKey,
        sesUrl: ses.endpoint,
        dynamoDbEndpoint: dynamodb.endpoint,
        tableName,
        signingKey,
        log,
        onProgress: options.onSeedProgress,
        settled: idle,
      });
      demoFormUrl = seed.demoFormUrl;
      await idle();
      if (!inMemory) writeSeedMarker(paths, { seededAt: new Date().toISOString(), customers: seed.customers, orders: seed.orders, demoOrder: seed.demoOrder });
    }
  }

  if (options.tickSchedules ?? clock.mode === 'real') {
    // What is due at start (a rate schedule fires at once: the first segment run over the shop and the campaigns it
    // triggers) runs before the runtime is ready, so its burst of log lines never pushes the printed URLs away.
    await scheduler.advanceTo(clock.now());
    await idle();
    scheduler.startTicking();
  }

  let stopping: Promise<void> | undefined;
  return {
    urls: { api: http.url, inbox: ses.inboxUrl, ses: ses.endpoint, dynamodb: dynamodb.endpoint, events: events.endpoint, sqs: sqs.endpoint },
    apiKey,
    tableName,
    clock,
    bus,
    scheduler,
    queues: Object.assign(queues, { url: sqs.queueUrl }),
    functions,
    seed,
    timings: {
      servicesMs: Math.round(servicesUpAt - startedAt),
      handlersMs: Math.round(handlersLoadedAt - servicesUpAt),
      seedMs: Math.round(performance.now() - handlersLoadedAt),
    },
    demoFormUrl,
    cognito,
    dynamoDbPid: dynamodb.pid,
    async advanceTo(date) {
      const fired = await scheduler.advanceTo(date);
      await idle();
      return fired;
    },
    jumpTo,
    idle,
    stop() {
      stopping ??= runCleanups(log).finally(() => {
        activeRuntime = false;
      });
      return stopping;
    },
  };
}

/**
 * Seeds the demo shop, resumably: the anchor (the instant the shop is generated for) is recorded before the first
 * order goes out, so a start after a Ctrl-C — minutes or hours later, on a shifted clock — re-derives the same orders
 * and replays them. Demo pool codes go in before anyone confirms, so every incentive can be issued.
 */
async function seedOnce(context: {
  paths: StatePaths;
  inMemory: boolean;
  clock: Clock;
  apiUrl: string;
  apiKey: string;
  sesUrl: string;
  dynamoDbEndpoint: string;
  tableName: string;
  signingKey: string;
  log: LocalLog;
  onProgress: ((done: number, total: number, stage: SeedStage) => void) | undefined;
  settled: () => Promise<void>;
}): Promise<SeedResult> {
  const { paths, clock } = context;
  const startedAt = Date.now();
  const clockNow = clock.now().getTime();
  // Orders are dated back from the clock (a --now in the past gives a shop of that time), never past real time:
  // the purchase API refuses orders from the future. Minute-floored, as the generator dates orders.
  const fresh = new Date(Math.floor(Math.min(clockNow, Date.now()) / 60_000) * 60_000);
  const recorded = context.inMemory ? undefined : readSeedAnchor(paths);
  const anchor = recorded ?? fresh;
  if (recorded === undefined && !context.inMemory) writeSeedAnchor(paths, anchor);
  if (anchor.getTime() > clockNow) {
    throw new StateNeedsResetError(
      `The demo shop being seeded in ${paths.dir} dates its orders up to ${anchor.toISOString()}, after this start's clock (${clock.now().toISOString()}), and the API refuses orders from the future: start with a later --now (or none)`,
    );
  }
  const table: Table = { doc: createDocumentClient(context.dynamoDbEndpoint), name: context.tableName };
  try {
    await loadDemoPools(table, { now: anchor });
    const seed = await seedDemoShop({
      apiUrl: context.apiUrl,
      apiKey: context.apiKey,
      sesUrl: context.sesUrl,
      now: anchor,
      confirmLinkFor: async (orderId) => {
        const submission = await loadSubmission(table, orderId, true);
        return submission && !submission.optInConfirmedAt ? confirmUrlFor(context.apiUrl, context.signingKey, orderId, submission.optInTokenExp) : undefined;
      },
      settled: context.settled,
      ...(context.onProgress ? { onProgress: context.onProgress } : {}),
    });
    context.log.info('demo shop seeded', {
      customers: seed.customers,
      orders: seed.orders,
      confirmed: seed.confirmed,
      resumed: recorded !== undefined,
      durationMs: Date.now() - startedAt,
    });
    return seed;
  } finally {
    table.doc.destroy();
  }
}

const ClockMove = z.union([z.strictObject({ to: z.iso.datetime({ offset: true }) }), z.strictObject({ days: z.number().positive().max(3650) })]);

/**
 * POST /_local/clock (local only, with the API key): `{"days": 30}` or `{"to": "2027-03-01T10:00:00Z"}` jumps the
 * clock forward, fires each schedule once for what it missed, and answers when the pipeline is idle again.
 */
async function moveClock(request: { body: Buffer; authorized: boolean }, clock: Clock, jumpTo: ((date: Date) => Promise<Firing[]>) | undefined) {
  const reply = (statusCode: number, body: unknown) => ({
    statusCode,
    headers: [['content-type', 'application/json']] satisfies [string, string][],
    body: Buffer.from(JSON.stringify(body)),
  });
  if (!request.authorized) return reply(401, { error: { code: 'unauthorized', message: 'Moving the clock needs the API key in the x-api-key header' } });
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch {
    return reply(400, { error: { code: 'validation_failed', message: 'Send JSON: {"days": 30} or {"to": "2027-03-01T10:00:00Z"}' } });
  }
  const move = ClockMove.safeParse(parsed);
  if (!move.success)
    return reply(400, {
      error: {
        code: 'validation_failed',
        message: 'Send {"days": <number>} or {"to": "<ISO 8601 date-time>"}',
        issues: move.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
      },
    });
  const target = 'to' in move.data ? new Date(move.data.to) : new Date(clock.now().getTime() + move.data.days * 86_400_000);
  if (target.getTime() <= clock.now().getTime())
    return reply(400, { error: { code: 'validation_failed', message: `The clock only moves forward; it is ${clock.now().toISOString()}` } });
  if (!jumpTo) return reply(503, { error: { code: 'not_ready', message: 'The runtime is still starting' } });
  const fired = await jumpTo(target);
  return reply(200, { now: clock.now().toISOString(), fired });
}
