import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/** An event as EventBridge delivers it to a rule target. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface PutEventsEndpoint {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * A tiny server that speaks EventBridge's PutEvents wire protocol (AWS JSON 1.1), so the handlers' real
 * `@aws-sdk/client-eventbridge` client publishes to the local runtime exactly as it would to AWS.
 */
export async function startPutEventsEndpoint(options: { port: number; onEvents: (events: BusEvent[]) => void; region?: string }): Promise<PutEventsEndpoint> {
  const region = options.region ?? 'local';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        reply(400, { __type: 'UnknownOperationException', message: `Only PutEvents is emulated (got ${String(req.headers['x-amz-target'])})` });
        return;
      }
      let entries: unknown;
      try {
        const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        entries = typeof body === 'object' && body !== null ? Reflect.get(body, 'Entries') : undefined;
      } catch {
        reply(400, { __type: 'SerializationException', message: 'Body is not JSON' });
        return;
      }
      // EventBridge refuses the whole call past 10 entries; a publisher that forgets to batch must fail here too.
      if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
        reply(400, { __type: 'ValidationException', message: `PutEvents takes 1 to 10 entries (got ${Array.isArray(entries) ? entries.length : 'none'})` });
        return;
      }
      const accepted: BusEvent[] = [];
      const results: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[] = [];
      for (const entry of entries) {
        const parsed = toBusEvent(entry, region);
        if (typeof parsed === 'string') results.push({ ErrorCode: 'MalformedDetail', ErrorMessage: parsed });
        else {
          accepted.push(parsed);
          results.push({ EventId: parsed.id });
        }
      }
      reply(200, { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results });
      if (accepted.length > 0) options.onEvents(accepted);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${options.port} is in use: stop what is using it or set EVENTS_PORT to another port`) : error),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // SDK clients keep connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

function toBusEvent(entry: unknown, region: string): BusEvent | string {
  if (typeof entry !== 'object' || entry === null) return 'Entry is not an object';
  const get = (key: string): unknown => (key in entry ? Reflect.get(entry, key) : undefined);
  const source = get('Source');
  const detailType = get('DetailType');
  const detailText = get('Detail');
  const time = get('Time');
  const resources = get('Resources');
  if (typeof source !== 'string' || typeof detailType !== 'string' || typeof detailText !== 'string') return 'Source, DetailType and Detail are required';
  let detail: unknown;
  try {
    detail = JSON.parse(detailText);
  } catch {
    return 'Detail is not valid JSON';
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return 'Detail must be a JSON object';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: typeof time === 'number' ? new Date(time * 1000).toISOString() : new Date().toISOString(),
    region,
    resources: Array.isArray(resources) ? resources.filter((r): r is string => typeof r === 'string') : [],
    detail: Object.fromEntries(Object.entries(detail)),
  };
}
