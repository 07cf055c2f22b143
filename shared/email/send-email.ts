import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
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
export function createSesClient(endpoint = process.env.SES_ENDPOINT): SESv2Client {
  return new SESv2Client(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'eu-west-1', credentials: localCredentials() } : {});
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
