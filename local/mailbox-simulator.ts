/**
 * The SES mailbox simulator, locally. A thin proxy in front of the SES emulator (aws-ses-v2-local, which drops
 * EmailTags and ConfigurationSetName and generates no events) sees each SES v2 SendEmail request and the MessageId
 * it gets back, and publishes the events AWS would — in AWS's shapes (test/fixtures/ses-events), source `aws.ses`,
 * on the default bus — for the simulator's addresses:
 *
 *   success@ / ooto@ / any other address → Send + Delivery      bounce@ → Send + Bounce (Permanent, General)
 *   complaint@ → Send + Delivery + Complaint                     suppressionlist@ → Send + Bounce (Permanent, OnAccountSuppressionList)
 *
 * (`+label` forms such as bounce+demo1@simulator.amazonses.com behave the same, as in SES.) The HTML it stores gets
 * tracked links and an open pixel (tracking.ts), served by the local HTTP server.
 *
 * Faults on purpose (ses-faults.ts): throttling, late answers to accepted sends, lost requests — set by the `faults`
 * option (KINSHIP_SES_FAULTS) or `GET|POST /_local/ses/faults` on this port.
 *
 * In AWS, SES publishes its events seconds after the send; a campaign email's claim is marked sent when the whole
 * batch is out. So that the local order matches, events wait until no sending function is running (`release`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { BusEvent } from '#local/put-events-endpoint.ts';
import { startSesEmulator } from '#local/ses-emulator.ts';
import { createSesFaults, NO_FAULTS, SesFaultsSchema, type SesFaults, type SesFaultSettings } from '#local/ses-faults.ts';
import { trackHtml, type TrackedAction } from '#local/tracking.ts';
import { isRecord } from '#shared/is-record.ts';

export const SIMULATOR_DOMAIN = 'simulator.amazonses.com';

export interface MailboxSimulatorOptions {
  port: number;
  host?: string;
  region: string;
  accountId: string;
  signingKey: string;
  /** Where tracked links point (the local HTTP server), known once it listens. */
  trackingBaseUrl: () => string;
  now: () => Date;
  /** Puts events on the account's default bus. */
  publish: (events: BusEvent[]) => void;
  /** True while a function that sends email is running: events wait for it (see above). */
  holding: () => boolean;
  /** Faults to inject into SendEmail calls from the start (none by default). */
  faults?: SesFaultSettings;
  /** Options passed on to the SES emulator behind the proxy. */
  emulator?: Omit<Parameters<typeof startSesEmulator>[0], 'port' | 'host'>;
}

export interface MailboxSimulator {
  endpoint: string;
  inboxUrl: string;
  port: number;
  /** Publishes the waiting events, unless a sender is still running. */
  release(): void;
  /** An open or a click of a message sent through this simulator: the OPEN/CLICK events SES would publish. */
  track(action: TrackedAction): void;
  /** The fault injection settings and counts (also at `/_local/ses/faults`). */
  faults: SesFaults;
  stop(): Promise<void>;
}

interface SentMail {
  timestamp: string;
  messageId: string;
  source: string;
  destination: string[];
  tags: Record<string, string[]>;
  subject: string;
  opened: boolean;
}

const CONFIGURATION_SET = 'kinship-local';
/** Messages remembered for opens and clicks (the emulator's own store is in memory too). */
const KEEP_MESSAGES = 20_000;

export async function startMailboxSimulator(options: MailboxSimulatorOptions): Promise<MailboxSimulator> {
  const host = options.host ?? '127.0.0.1';
  const emulator = await startSesEmulator({ ...options.emulator, port: 0, host });
  const sent = new Map<string, SentMail>();
  let waiting: BusEvent[] = [];
  const faults = createSesFaults(options.faults ?? NO_FAULTS);
  const late = new Set<NodeJS.Timeout>();
  /** Resolves after `ms`, or at once when the simulator stops (the late answers then go nowhere). */
  const after = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        late.delete(timer);
        resolve();
      }, ms);
      late.add(timer);
    });

  const envelope = (detailType: string, detail: Record<string, unknown>, at: Date): BusEvent => ({
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'aws.ses',
    account: options.accountId,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: options.region,
    resources: [`arn:aws:ses:${options.region}:${options.accountId}:configuration-set/${CONFIGURATION_SET}`],
    detail,
  });
  const mailOf = (mail: SentMail) => ({
    timestamp: mail.timestamp,
    source: mail.source,
    sendingAccountId: options.accountId,
    messageId: mail.messageId,
    destination: mail.destination,
    headersTruncated: false,
    commonHeaders: { from: [mail.source], to: mail.destination, messageId: mail.messageId, subject: mail.subject },
    tags: mail.tags,
  });

  const release = () => {
    if (options.holding() || waiting.length === 0) return;
    const events = waiting;
    waiting = [];
    options.publish(events);
  };

  const onSent = (mail: SentMail) => {
    const sentAt = new Date(mail.timestamp);
    const later = (ms: number) => new Date(sentAt.getTime() + ms);
    const recipients = mail.destination;
    const mailbox = simulatorMailbox(recipients[0] ?? '');
    const events = [envelope('Email Sent', { eventType: 'Send', mail: mailOf(mail), send: {} }, sentAt)];
    if (mailbox === 'bounce' || mailbox === 'suppressionlist') {
      const list = mailbox === 'suppressionlist';
      events.push(
        envelope(
          'Email Bounced',
          {
            eventType: 'Bounce',
            mail: mailOf(mail),
            bounce: {
              bounceType: 'Permanent',
              bounceSubType: list ? 'OnAccountSuppressionList' : 'General',
              bouncedRecipients: recipients.map((emailAddress) => ({
                emailAddress,
                action: 'failed',
                status: '5.1.1',
                diagnosticCode: list
                  ? 'Amazon SES did not send the message to this address because it is on the suppression list for your account.'
                  : 'smtp; 550 5.1.1 user unknown',
              })),
              timestamp: later(1200).toISOString(),
              feedbackId: `${randomUUID()}-000000`,
              reportingMTA: 'dns; amazonses.com',
            },
          },
          later(1200),
        ),
      );
    } else {
      events.push(
        envelope(
          'Email Delivered',
          {
            eventType: 'Delivery',
            mail: mailOf(mail),
            delivery: {
              timestamp: later(800).toISOString(),
              processingTimeMillis: 800,
              recipients,
              smtpResponse: '250 2.6.0 Message received',
              reportingMTA: 'a8-50.smtp-out.amazonses.com',
            },
          },
          later(800),
        ),
      );
      if (mailbox === 'complaint') {
        events.push(
          envelope(
            'Email Complaint Received',
            {
              eventType: 'Complaint',
              mail: mailOf(mail),
              complaint: {
                feedbackId: `${randomUUID()}-000000`,
                complainedRecipients: recipients.map((emailAddress) => ({ emailAddress })),
                timestamp: later(2000).toISOString(),
                userAgent: 'Amazon SES Mailbox Simulator',
                complaintFeedbackType: 'abuse',
                arrivalDate: later(1900).toISOString(),
              },
            },
            later(2000),
          ),
        );
      }
    }
    waiting.push(...events);
    release();
  };

  const track = (action: TrackedAction) => {
    const mail = sent.get(action.ref);
    if (!mail) return;
    const at = options.now();
    const open = envelope(
      'Email Opened',
      { eventType: 'Open', mail: mailOf(mail), open: { ipAddress: '127.0.0.1', timestamp: at.toISOString(), userAgent: 'Kinship local inbox' } },
      at,
    );
    if (action.kind === 'open') {
      mail.opened = true;
      options.publish([open]);
      return;
    }
    // SES counts a click on a message never seen opened (images off) as an open too.
    const clicked = envelope(
      'Email Clicked',
      {
        eventType: 'Click',
        mail: mailOf(mail),
        click: {
          ipAddress: '127.0.0.1',
          link: action.link,
          linkTags: {},
          timestamp: new Date(at.getTime() + 1).toISOString(),
          userAgent: 'Kinship local inbox',
        },
      },
      at,
    );
    const first = !mail.opened;
    mail.opened = true;
    options.publish(first ? [open, clicked] : [clicked]);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const pathname = (req.url ?? '').split('?')[0];
      if (pathname === '/_local/ses/faults') {
        answerFaults(faults, req.method ?? 'GET', body, res);
        return;
      }
      const isSend = req.method === 'POST' && pathname === '/v2/email/outbound-emails';
      const send = isSend ? parseSendEmail(body) : undefined;
      const fault = send ? faults.decide(send.to) : undefined;
      if (fault === 'throttle') {
        // SES v2's shape for it: HTTP 429, the error type in x-amzn-ErrorType, a message in the body. Nothing is sent.
        res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' });
        res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
        return;
      }
      if (fault === 'drop') {
        await after(faults.settings().timeoutDelayMs);
        if (!res.destroyed) {
          res.writeHead(504, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: 'mailbox simulator: request dropped (fault injection)' }));
        }
        return;
      }
      const ref = randomBytes(12).toString('base64url');
      let forwarded = body;
      if (send?.html !== undefined)
        forwarded = Buffer.from(
          JSON.stringify(withHtml(send.request, trackHtml(send.html, ref, options.trackingBaseUrl(), options.signingKey, options.now()))),
        );
      const reply = await forward(emulator.port, req, forwarded);
      // A timeout: SES took it (and its events follow), the answer comes too late for the sender to see.
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      };
      if (fault === 'timeout') void after(faults.settings().timeoutDelayMs).then(answer);
      else answer();
      const messageId = send && reply.status === 200 ? messageIdOf(reply.body) : undefined;
      if (send && messageId) {
        const mail: SentMail = {
          timestamp: options.now().toISOString(),
          messageId,
          source: send.from,
          destination: send.to,
          tags: send.tags,
          subject: send.subject,
          opened: false,
        };
        sent.set(ref, mail);
        if (sent.size > KEEP_MESSAGES) {
          const oldest = sent.keys().next();
          if (!oldest.done) sent.delete(oldest.value);
        }
        onSent(mail);
      }
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `mailbox simulator: ${error instanceof Error ? error.message : String(error)}` }));
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new Error(`Port ${options.port} is in use: stop what is using it or set SES_PORT to another port`) : error),
      );
      server.listen(options.port, host, () => resolve());
    });
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    inboxUrl: `http://localhost:${port}`,
    port,
    release,
    track,
    faults,
    async stop() {
      for (const timer of late) clearTimeout(timer);
      late.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await emulator.stop();
    },
  };
}

/** `GET /_local/ses/faults` shows the settings and counts; `POST` (JSON) replaces the settings (400 with the field on bad input). */
function answerFaults(faults: SesFaults, method: string, body: Buffer, res: ServerResponse): void {
  const json = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  if (method === 'GET') return json(200, { settings: faults.settings(), counts: faults.counts() });
  if (method !== 'POST' && method !== 'PUT') return json(405, { message: 'use GET to read or POST to set the SES faults' });
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return json(400, { message: 'the body must be JSON such as {"throttleRate":0.3,"timeoutRate":0.02}' });
  }
  const parsed = SesFaultsSchema.safeParse(input);
  if (!parsed.success)
    return json(400, { message: 'invalid SES faults', errors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })) });
  faults.set(parsed.data);
  return json(200, { settings: faults.settings(), counts: faults.counts() });
}

/** `bounce` for bounce@ or bounce+label@simulator.amazonses.com; undefined for any other address. */
export function simulatorMailbox(address: string): 'success' | 'bounce' | 'ooto' | 'complaint' | 'suppressionlist' | undefined {
  const match = /^([a-z]+)(?:\+[^@]*)?@(.+)$/i.exec(address.trim());
  if (!match || match[2]?.toLowerCase() !== SIMULATOR_DOMAIN) return undefined;
  const box = match[1]?.toLowerCase();
  return box === 'success' || box === 'bounce' || box === 'ooto' || box === 'complaint' || box === 'suppressionlist' ? box : undefined;
}

interface ParsedSend {
  request: Record<string, unknown>;
  from: string;
  to: string[];
  subject: string;
  html: string | undefined;
  tags: Record<string, string[]>;
}

/** The parts of an SES v2 SendEmail body the simulator needs; undefined when it is not a Simple-content send. */
function parseSendEmail(body: Buffer): ParsedSend | undefined {
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(request)) return undefined;
  const simple = path(request, 'Content', 'Simple');
  if (!isRecord(simple)) return undefined;
  const to = path(request, 'Destination', 'ToAddresses');
  const html = path(simple, 'Body', 'Html', 'Data');
  const subject = path(simple, 'Subject', 'Data');
  const tags: Record<string, string[]> = {};
  const configurationSet = request.ConfigurationSetName;
  tags['ses:configuration-set'] = [typeof configurationSet === 'string' ? configurationSet : CONFIGURATION_SET];
  const emailTags = request.EmailTags;
  if (Array.isArray(emailTags)) {
    for (const tag of emailTags) {
      if (isRecord(tag) && typeof tag.Name === 'string' && typeof tag.Value === 'string') tags[tag.Name] = [tag.Value];
    }
  }
  return {
    request,
    from: typeof request.FromEmailAddress === 'string' ? request.FromEmailAddress : '',
    to: Array.isArray(to) ? to.filter((a): a is string => typeof a === 'string') : [],
    subject: typeof subject === 'string' ? subject : '',
    html: typeof html === 'string' ? html : undefined,
    tags,
  };
}

function withHtml(request: Record<string, unknown>, html: string): Record<string, unknown> {
  const simple = path(request, 'Content', 'Simple');
  const body = isRecord(simple) ? simple.Body : undefined;
  const htmlPart = isRecord(body) ? body.Html : undefined;
  if (!isRecord(simple) || !isRecord(body) || !isRecord(htmlPart)) return request;
  return {
    ...request,
    Content: { ...(isRecord(request.Content) ? request.Content : {}), Simple: { ...simple, Body: { ...body, Html: { ...htmlPart, Data: html } } } },
  };
}

function messageIdOf(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return isRecord(parsed) && typeof parsed.MessageId === 'string' ? parsed.MessageId : undefined;
  } catch {
    return undefined;
  }
}

function path(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(port: number, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && name !== 'content-length' && name !== 'host') headers[name] = value;
    headers['content-length'] = String(body.length);
    const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(res.headers))
          if (value !== undefined && name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') out[name] = value;
        const data = Buffer.concat(chunks);
        out['content-length'] = String(data.length);
        resolve({ status: res.statusCode ?? 502, headers: out, body: data });
      });
      res.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}
