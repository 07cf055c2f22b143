import * as z from 'zod';

/**
 * One queued email: the unit the planner enqueues and the sender consumes (an SQS message body).
 * `(campaignId, occurrenceId, customerId)` is the exactly-once key: the sender claims it before calling SES.
 */
export const SendRequestSchema = z.strictObject({
  campaignId: z.string().min(1).max(64),
  /** A newsletter run ("2026-12-01T10:00") or the trigger event's id; "once" for once-per-customer campaigns. */
  occurrenceId: z.string().min(1).max(128),
  customerId: z.string().min(1).max(64),
  /** When the occurrence happened (the schedule's time or the trigger event's time): exit conditions compare with it. */
  triggeredAt: z.iso.datetime({ offset: true }),
  /** Not before this time (a trigger's delay or quiet hours): an early delivery is put back to wait. */
  notBefore: z.iso.datetime({ offset: true }).optional(),
  /** Deliver when the recipient's own clock shows this wall time (`2026-12-01T10:00`), for recipient-local newsletters. */
  localWallTime: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'a wall time such as 2026-12-01T10:00')
    .optional(),
  /** The correlation id of what caused this email (shared/observability/correlation.ts), on the sender's log lines for it. */
  correlationId: z.string().max(128).optional(),
});
export type SendRequest = z.output<typeof SendRequestSchema>;

/** The claim key as one string, for logs and the due-send table (never contains personal data). */
export function sendRef(request: Pick<SendRequest, 'campaignId' | 'occurrenceId' | 'customerId'>): string {
  return `${request.campaignId}#${request.occurrenceId}#${request.customerId}`;
}
