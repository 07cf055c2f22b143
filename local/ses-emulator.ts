/**
 * The SES emulator (`aws-ses-v2-local`): an SES v1/v2 API endpoint that keeps every email it is sent, with an
 * inbox page at `/` and the raw store at `GET /store` (reset with `POST /clear-store`). Started in process
 * — nothing to orphan — and bound to loopback. Its store is per process.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';

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

export async function startSesEmulator(options: { port: number; host?: string }): Promise<SesEmulator> {
  const host = options.host ?? '127.0.0.1';
  const server = await serverFactory()({ host, port: options.port });
  // Express reports a failed listen through the callback the emulator ignores, so check for ourselves.
  if (!server.listening) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw new Error(`The SES emulator could not listen on port ${options.port}: is it in use? Set SES_PORT to another port.`);
  }
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
