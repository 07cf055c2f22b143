/**
 * Loads the topology's real handlers (`functions/<name>/handler.ts`) in process and invokes them the way
 * Lambda does: one event, a Lambda context with a deadline, the function's timeout enforced.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { runInInvocationScope } from '#shared/observability/correlation.ts';
import { runWithTableAccess } from '#shared/table/table-access.ts';
import { handlerEntry, type FunctionSpec, type Topology } from '#shared/topology.ts';

export type LambdaCallback = (error?: unknown, result?: unknown) => void;
export type LambdaHandler = (event: unknown, context: Context, callback: LambdaCallback) => unknown;

export function isLambdaHandler(value: unknown): value is LambdaHandler {
  return typeof value === 'function';
}

/** The function ran past its configured timeout (Lambda's "Task timed out after N seconds"). */
export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
}

export interface LocalAws {
  region: string;
  accountId: string;
}

export function createLambdaContext(spec: FunctionSpec, aws: LocalAws, requestId: string, deadlineMs: number): Context {
  const functionName = `kinship-${spec.name}`;
  const noop = () => undefined;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${aws.region}:${aws.accountId}:function:${functionName}`,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${new Date().toISOString().slice(0, 10)}/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    done: noop,
    fail: noop,
    succeed: noop,
  };
}

export interface FunctionRegistry {
  /** Imports every handler now, so a missing handler or a bad config fails the start, not the first request. */
  loadAll(): Promise<void>;
  spec(name: string): FunctionSpec;
  /** Invokes a function synchronously (RequestResponse): resolves with its result, rejects with its error or a timeout. */
  invoke(name: string, event: unknown, options?: { requestId?: string }): Promise<unknown>;
}

export function createFunctionRegistry(options: {
  topology: Topology;
  rootDir: string;
  aws: LocalAws;
  handlers?: Record<string, LambdaHandler> | undefined;
}): FunctionRegistry {
  const specs = new Map(options.topology.functions.map((fn) => [fn.name, fn]));
  const loaded = new Map<string, Promise<LambdaHandler>>();

  const spec = (name: string): FunctionSpec => {
    const found = specs.get(name);
    if (!found) throw new Error(`No function "${name}" in the topology`);
    return found;
  };

  const load = (name: string): Promise<LambdaHandler> => {
    let handler = loaded.get(name);
    if (!handler) {
      handler = importHandler(spec(name), options.rootDir, options.handlers?.[name]);
      loaded.set(name, handler);
    }
    return handler;
  };

  return {
    spec,
    async loadAll() {
      await Promise.all([...specs.keys()].map(load));
    },
    async invoke(name, event, invokeOptions = {}) {
      const fn = spec(name);
      const handler = await load(name);
      const requestId = invokeOptions.requestId ?? randomUUID();
      const deadline = Date.now() + fn.timeoutSeconds * 1000;
      const context = createLambdaContext(fn, options.aws, requestId, deadline);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new FunctionTimeoutError(`${fn.name}: task timed out after ${fn.timeoutSeconds} seconds`)), fn.timeoutSeconds * 1000);
      });
      try {
        // Under the function's declared table access, as IAM would hold it in AWS (shared/table/table-access.ts).
        // Each invocation in its own correlation scope, as each has its own execution environment in AWS.
        const run = () => runInInvocationScope(() => callHandler(handler, event, context));
        return await Promise.race([fn.access.table ? runWithTableAccess(fn.name, fn.access.table, run) : run(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

async function importHandler(fn: FunctionSpec, rootDir: string, override: LambdaHandler | undefined): Promise<LambdaHandler> {
  if (override) return override;
  const file = join(rootDir, handlerEntry(fn));
  let module: unknown;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot load the handler of "${fn.name}" from ${handlerEntry(fn)}: ${reason}`, { cause: error });
  }
  const handler: unknown = typeof module === 'object' && module !== null ? Reflect.get(module, 'handler') : undefined;
  if (!isLambdaHandler(handler)) throw new Error(`${handlerEntry(fn)} must export a function named "handler"`);
  return handler;
}

function callHandler(handler: LambdaHandler, event: unknown, context: Context): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback: LambdaCallback = (error, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (isPromiseLike(returned)) returned.then(resolve, reject);
      // A synchronous handler that takes no callback can never call one. Lambda ends such an invocation with a null
      // result once the event loop drains (its return value is ignored); a server's loop never drains, so end it now.
      else if (handler.length < 3) resolve(null);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'then') === 'function';
}
