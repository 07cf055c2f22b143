import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { EmailSender } from '#shared/email/send-email.ts';

/** A message to the shop's staff (an escalated case). Ids and links only: no customer address or name. */
export interface StaffNotice {
  subject: string;
  text: string;
}

/** One interface, two implementations: the staff SNS topic in AWS, an email into the local inbox otherwise. */
export interface StaffNotifier {
  notify(notice: StaffNotice): Promise<void>;
}

export function snsStaffNotifier(client: SNSClient, topicArn: string): StaffNotifier {
  return {
    async notify(notice) {
      // SNS email subjects are ASCII, at most 100 characters.
      await client.send(new PublishCommand({ TopicArn: topicArn, Subject: notice.subject.replace(/[^\x20-\x7e]/g, '?').slice(0, 100), Message: notice.text }));
    },
  };
}

export function emailStaffNotifier(email: EmailSender, to: string): StaffNotifier {
  return {
    async notify(notice) {
      await email.send({
        to,
        subject: notice.subject,
        text: notice.text,
        html: `<pre>${notice.text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))}</pre>`,
        tags: { kind: 'staff-alert' },
      });
    },
  };
}
