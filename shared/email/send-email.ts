import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { traced } from '#shared/observability/observability.ts';
import type { EmailConfig } from '#shared/email/email-config.ts';
import { localCredentials } from '#shared/table/table-client.ts';

/** One email with an HTML and a plain-text part. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers?: { name: string; value: string }[];
  /** SES message tags (ASCII letters, digits, _ and -), e.g. { kind: 'opt-in' }: they come back on delivery events. */
  tags?: Record<string, string>;
}

/** Sends email. The SES implementation is below; tests may pass their own. */
export interface EmailSender {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** SES v2 client; `SES_ENDPOINT` points it at the local SES emulator. */
export function createSesClient(endpoint = process.env.SES_ENDPOINT, options: SesClientOptions = {}): SESv2Client {
  const local = endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'eu-west-1', credentials: localCredentials() } : {};
  const tuned = {
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.requestTimeoutMs === undefined
      ? {}
      : {
          requestHandler: {
            requestTimeout: options.requestTimeoutMs,
            throwOnRequestTimeout: true,
            connectionTimeout: Math.min(options.requestTimeoutMs, 3_000),
          },
        }),
  };
  return traced(new SESv2Client({ ...local, ...tuned }));
}

export interface SesClientOptions {
  /** SDK attempts per call (1: no SDK retries). */
  maxAttempts?: number;
  /** Give up on a call after this long (a TimeoutError: the outcome is then unknown). */
  requestTimeoutMs?: number;
}

/**
 * The campaign sender's SES client. One attempt: the SDK retries timeouts, resets and 5xx — calls SES may have
 * already acted on, so a retry there could send the email twice; the sender decides instead (ses-failure.ts).
 * A bounded request time (SES_REQUEST_TIMEOUT_MS, default 10 s, always shorter than the claim's lease).
 */
export function createCampaignSesClient(endpoint = process.env.SES_ENDPOINT, requestTimeoutMs = sesRequestTimeoutMs()): SESv2Client {
  return createSesClient(endpoint, { maxAttempts: 1, requestTimeoutMs });
}

export function sesRequestTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.SES_REQUEST_TIMEOUT_MS;
  if (text === undefined || text === '') return 10_000;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 100 || value > 60_000)
    throw new Error(`SES_REQUEST_TIMEOUT_MS: "${text}" must be a whole number of milliseconds from 100 to 60000`);
  return value;
}

/** Sends through SES v2 `SendEmail` with Simple content (keeps custom headers, unlike v1 raw MIME in the emulator). */
export function sesEmailSender(client: SESv2Client, config: Pick<EmailConfig, 'from' | 'replyTo' | 'configurationSet'>): EmailSender {
  return {
    async send(email) {
      const result = await client.send(
        new SendEmailCommand({
          FromEmailAddress: config.from,
          ...(config.replyTo.length > 0 ? { ReplyToAddresses: config.replyTo } : {}),
          ...(config.configurationSet ? { ConfigurationSetName: config.configurationSet } : {}),
          Destination: { ToAddresses: [email.to] },
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
              ...(email.headers && email.headers.length > 0 ? { Headers: email.headers.map((h) => ({ Name: h.name, Value: h.value })) } : {}),
            },
          },
          ...(email.tags ? { EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })) } : {}),
        }),
      );
      return { messageId: result.MessageId ?? '' };
    },
  };
}
