/**
 * The SES emulator (`aws-ses-v2-local`): an SES v1/v2 API endpoint that keeps every email it is sent, with an
 * inbox page at `/` and the raw store at `GET /store` (reset with `POST /clear-store`). Started in process
 * — nothing to orphan — and bound to loopback. Its store is per process.
 */
import type { Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { z } from 'zod';

export interface SesEmulator {
  endpoint: string;
  inboxUrl: string;
  port: number;
  stop(): Promise<void>;
}

type SesServerFactory = (config: { host: string; port: number }) => Promise<Server>;

function isServerFactory(value: unknown): value is SesServerFactory {
  return typeof value === 'function';
}

/** The package is CommonJS with `exports.default = server`; find that function whichever way it is loaded. */
function serverFactory(): SesServerFactory {
  const require = createRequire(import.meta.url);
  const loaded: unknown = require('aws-ses-v2-local');
  const inner: unknown = typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, 'default') : undefined;
  if (isServerFactory(inner)) return inner;
  if (isServerFactory(loaded)) return loaded;
  throw new Error('aws-ses-v2-local does not export its server function where expected; run npm ci (devDependency aws-ses-v2-local)');
}

/** What the runtime reads of an email the emulator stored (its log line: kind and customer, never the address). */
const StoredEmail = z.object({
  messageId: z.string(),
  destination: z.object({ to: z.array(z.string()) }),
  body: z.object({ text: z.string().optional() }),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});
export type StoredEmail = z.output<typeof StoredEmail>;

/** The emulator's in-memory store (`dist/store.js`, the module its handlers save into): its list of emails. */
function storedEmails(): () => unknown[] {
  const require = createRequire(import.meta.url);
  const loaded: unknown = require('aws-ses-v2-local/dist/store.js');
  const read: unknown = typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, 'getStoreReadonly') : undefined;
  return () => {
    const store: unknown = typeof read === 'function' ? Reflect.apply(read, undefined, []) : undefined;
    const emails: unknown = typeof store === 'object' && store !== null ? Reflect.get(store, 'emails') : undefined;
    return Array.isArray(emails) ? emails : [];
  };
}

/**
 * Calls `onEmail` for each email the emulator stores: checked when each of its requests finishes (a send is a
 * request), so no polling. The emulator keeps no events or hooks of its own.
 */
function watchStore(server: Server, onEmail: (email: StoredEmail) => void): void {
  const emails = storedEmails();
  let seen = emails().length;
  server.on('request', (_request, response: ServerResponse) => {
    response.once('finish', () => {
      const all = emails();
      // POST /clear-store empties the list.
      if (all.length < seen) seen = 0;
      for (const email of all.slice(seen)) {
        const parsed = StoredEmail.safeParse(email);
        if (parsed.success) onEmail(parsed.data);
      }
      seen = all.length;
    });
  });
}

export async function startSesEmulator(options: { port: number; host?: string; onEmail?: (email: StoredEmail) => void }): Promise<SesEmulator> {
  const host = options.host ?? '127.0.0.1';
  const server = await serverFactory()({ host, port: options.port });
  // Express reports a failed listen through the callback the emulator ignores, so check for ourselves.
  if (!server.listening) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw new Error(`The SES emulator could not listen on port ${options.port}: is it in use? Set SES_PORT to another port.`);
  }
  if (options.onEmail) watchStore(server, options.onEmail);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    inboxUrl: `http://localhost:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
