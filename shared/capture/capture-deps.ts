import type { EventBus } from '#shared/events/publish-events.ts';
import type { EmailSender } from '#shared/email/send-email.ts';
import type { Table } from '#shared/table/table-client.ts';
import type { CaptureSettings } from '#shared/capture/capture-settings.ts';

/** What the capture routes need, passed in so tests point them at DynamoDB Local, a local bus and the SES emulator. */
export interface CaptureDeps {
  table: Table;
  bus: EventBus;
  email: EmailSender;
  settings: CaptureSettings;
  signingKey: string;
  /** Base of the links in emails (confirm link). */
  publicBaseUrl: string;
  now: () => Date;
}

/** The form page only reads. */
export type FormPageDeps = Pick<CaptureDeps, 'table' | 'settings' | 'signingKey' | 'now'>;
