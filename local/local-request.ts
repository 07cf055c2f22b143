import { request } from 'node:http';

export interface LocalReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface LocalRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** A loopback source address (127.0.0.2 …): the local runtime sees another client. fetch cannot choose one. */
  fromIp?: string;
}

/** One HTTP request with Node's client, the whole body read as UTF-8 (the demo seed and the tests talk to the local runtime this way). */
export function localRequest(url: string | URL, options: LocalRequestOptions = {}): Promise<LocalReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, ...(options.fromIp ? { localAddress: options.fromIp } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}
