/**
 * `npm start`: the whole pipeline on this machine. Parses flags and env (start-options.ts), starts the local
 * runtime with the demo shop, prints where everything is, and stops cleanly on Ctrl-C / SIGTERM — DynamoDB
 * Local's Java process included. A second Ctrl-C exits at once (the Java process is still killed on exit).
 */
// First: sets LOG_LEVEL before the shared logger is created by the imports below.
import { chosenLogLevel } from '#local/start-log-level.ts';
import { join, relative, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { logger } from '#shared/logger.ts';
import { createHumanLog, type HumanLevel } from '#local/human-log.ts';
import { DEFAULT_API_KEY, repositoryRoot, startLocalRuntime, type LocalRuntime } from '#local/runtime.ts';
import type { SeedStage } from '#local/seed-demo-shop.ts';
import { parseStartOptions, START_USAGE, type StartOptions } from '#local/start-options.ts';
import { RESET_HINT, resetState, StateNeedsResetError, statePaths } from '#local/state.ts';

const out = (line = '') => process.stdout.write(`${line}\n`);
const fail = (message: string, code = 1): never => {
  process.stderr.write(`\nkinship: ${message}\n`);
  process.exit(code);
};

const STAGE_NAMES: Record<SeedStage, string> = { orders: 'orders', customers: 'customers through the form' };

function seedProgress(): { update: (done: number, total: number, stage: SeedStage) => void; finish: () => void } {
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: '  seeding the demo shop [{bar}] {value}/{total} {stage}', hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    let current: SeedStage | undefined;
    return {
      update(done, total, stage) {
        if (current !== stage) {
          if (current) bar.stop();
          bar.start(total, 0, { stage: STAGE_NAMES[stage] });
          current = stage;
        }
        bar.update(done);
      },
      finish: () => current && bar.stop(),
    };
  }
  let last = '';
  return {
    update(done, total, stage) {
      const quarter = `${stage} ${Math.floor((done / total) * 4)}`;
      if (quarter === last) return;
      last = quarter;
      out(`  seeding the demo shop: ${done}/${total} ${STAGE_NAMES[stage]}`);
    },
    finish: () => undefined,
  };
}

/** The level once ready: the developer's LOG_LEVEL, else INFO (one line per request, email, event, schedule). */
function runningLevel(): HumanLevel {
  const chosen = chosenLogLevel?.trim().toUpperCase();
  return chosen === 'DEBUG' || chosen === 'WARN' || chosen === 'SILENT' ? chosen : 'INFO';
}

/** A path relative to the current folder when it is inside it, else absolute. */
function shown(path: string): string {
  const absolute = resolve(path);
  const relativePath = relative(process.cwd(), absolute);
  return relativePath.startsWith('..') ? absolute : relativePath || '.';
}

function printReady(runtime: LocalRuntime, options: StartOptions, seconds: number): void {
  const stateDir = shown(options.stateDir ?? join(repositoryRoot(), '.kinship'));
  const key = runtime.apiKey === DEFAULT_API_KEY ? runtime.apiKey : '$KINSHIP_API_KEY';
  const purchase = {
    orderId: 'WEB-1001',
    customerEmail: 'anna@example.com',
    customerName: 'Anna',
    locale: 'is-IS',
    items: [{ sku: 'TENT-2P', name: 'Two-person tent', category: 'tents', price: 249.9, quantity: 1 }],
    total: 249.9,
    currency: 'EUR',
    purchasedAt: `${new Date().toISOString().slice(0, 19)}Z`,
  };
  const seeded = runtime.seed
    ? `demo shop seeded: ${runtime.seed.customers} customers, ${runtime.seed.orders} orders, ${runtime.seed.confirmed} confirmed on the form`
    : 'demo shop from an earlier start';
  out();
  const { servicesMs, handlersMs, seedMs } = runtime.timings;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  out(`Kinship is running — ready in ${seconds.toFixed(1)} s (${seeded})`);
  out(`  (DynamoDB Local and the other services ${s(servicesMs)}, handlers ${s(handlersMs)}, demo shop ${s(seedMs)})`);
  out();
  out(`  API and index page   ${runtime.urls.api}`);
  if (runtime.demoFormUrl) out(`  Demo incentive form  ${runtime.demoFormUrl}`);
  out(`  Email inbox (SES)    ${runtime.urls.inbox}`);
  if (runtime.cognito) {
    out(`  Staff console        ${new URL('/console', runtime.urls.api).toString()}   (sign-in through the Cognito emulator at ${runtime.cognito.url})`);
    for (const user of runtime.cognito.demoUsers) out(`    ${user.group.padEnd(9)} ${user.username}   password ${user.password}`);
  }
  out(`  DynamoDB Local       ${runtime.urls.dynamodb}   table "${runtime.tableName}"   data in ${stateDir}/dynamodb`);
  out(`  Event bus (PutEvents) ${runtime.urls.events}   SQS ${runtime.urls.sqs}`);
  out(`  Clock                ${options.now ? `shifted: now is ${runtime.clock.now().toISOString()}` : 'real time'}`);
  out();
  out('Record a purchase (a replay of the same orderId returns the same result):');
  out(`  curl -s -X POST ${new URL('/api/purchases', runtime.urls.api).toString()} \\`);
  out(`    -H 'content-type: application/json' -H 'x-api-key: ${key}' \\`);
  out(`    -d '${JSON.stringify(purchase)}'`);
  out();
  out(`The profile is the item PK = "CUST#<customerId from the response>", SK = "PROFILE" in table "${runtime.tableName}"`);
  out(`at ${runtime.urls.dynamodb} (any access key and region work; e.g. NoSQL Workbench or the AWS CLI with --endpoint-url).`);
  out();
  out("Move the shop's clock forward (schedules that missed runs fire once: segments, due campaign emails, newsletters):");
  out(`  curl -s -X POST ${new URL('/_local/clock', runtime.urls.api).toString()} -H 'x-api-key: ${key}' -d '{"days": 120}'`);
  out('  …then open the inbox: win-back emails go out 3 days after a customer lapses (another {"days": 4}), the newsletter on the 1st.');
  out('  npx kinship campaigns validate | preview win-back --locale is | diff        npx kinship segments list');
  out();
  out('Ctrl-C stops everything.');
}

async function main(): Promise<void> {
  const parsed = parseStartOptions(process.argv.slice(2), process.env);
  if (!parsed.ok) return fail(parsed.error, 2);
  const options = parsed.options;
  if (options.help) {
    out(START_USAGE);
    return;
  }

  let runtime: LocalRuntime | undefined;
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    // One Ctrl-C can arrive more than once (the terminal signals the whole group, and npm / tsx relay it): a repeat
    // within a second is the same keypress, not the "force" one.
    if (firstSignalAt !== undefined && now - firstSignalAt < 1000) return;
    const again = firstSignalAt !== undefined;
    firstSignalAt ??= now;
    if (again || !runtime) {
      // Second Ctrl-C, or one during the start: leave now. DynamoDB Local is killed by its exit hook.
      process.stderr.write(`\n${signal}: exiting now.\n`);
      process.exit(runtime ? 1 : 130);
    }
    out(`\n${signal}: stopping (Ctrl-C again to force)…`);
    const stopping = runtime;
    void stopping.stop().then(
      () => {
        out('Stopped. DynamoDB Local data is kept; the next start reuses it.');
        process.exit(0);
      },
      (error: unknown) => fail(`stopping failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  if (options.reset) {
    const paths = statePaths(options.stateDir ?? join(repositoryRoot(), '.kinship'));
    try {
      const removed = await resetState(paths);
      out(removed.length > 0 ? `Reset: deleted ${removed.map(shown).join(', ')}` : `Reset: nothing to delete in ${paths.dir}`);
    } catch (error) {
      return fail(`could not reset: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  out('Starting Kinship: DynamoDB Local, SES emulator, event bus, scheduler, queues, HTTP API…');
  // The runtime's own log, quiet (problems only) while starting, then one line per request, email, event and
  // schedule unless LOG_LEVEL says otherwise: short human lines, or with LOG_FORMAT=json a child Logger (not wrapped
  // by the handlers' middleware, so its level can change). The handlers keep their Powertools JSON (LOG_LEVEL, WARN by default).
  const level = runningLevel();
  const jsonLog = logger.createChild({ serviceName: 'kinship-local' });
  const humanLog = createHumanLog({ write: (line) => out(line), level: 'WARN' });
  const log = options.logFormat === 'json' ? jsonLog : humanLog;
  jsonLog.setLogLevel('WARN');
  const progress = seedProgress();
  let seeding = false;
  try {
    runtime = await startLocalRuntime({
      seed: true,
      ports: options.ports,
      apiKey: options.apiKey,
      ...(options.cognitoPort !== undefined ? { cognitoPort: options.cognitoPort } : {}),
      clock: { mode: 'real', now: options.now },
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      log,
      onSeedProgress: (done, total, stage) => {
        seeding = true;
        progress.update(done, total, stage);
      },
    });
  } catch (error) {
    progress.finish();
    const message = error instanceof Error ? error.message : String(error);
    // A seed that failed part-way resumes on the next start; if it fails the same way again, the state is the problem.
    const next = seeding && !(error instanceof StateNeedsResetError) ? `\nStart again to resume the demo seed. If it fails the same way: ${RESET_HINT}.` : '';
    return fail(`could not start: ${message}${next}`);
  }
  progress.finish();
  // performance.now() counts from this process's start, so this is the time a developer waits.
  printReady(runtime, options, performance.now() / 1000);
  // Only now, so no line lands between the progress and the URLs.
  jsonLog.setLogLevel(level);
  humanLog.setLevel(level);
}

await main();
