/**
 * The planner: turns one campaign occurrence into queued emails. A newsletter occurrence is its schedule's
 * time and its audience is read from the segment membership index (GSI2, no scan); a triggered occurrence is
 * the bus event that matched the campaign's rule, addressed to the customer the event is about.
 * The planner does not judge consent or caps — the sender does, at the last moment, for every message.
 * It does decide the holdout: a campaign's `holdoutPercent` of its audience (a stable hash of campaign and
 * customer) gets a held-out claim instead of a queued email, so the report can measure what the email caused.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Campaign } from '#shared/campaigns/campaign-config.ts';
import { EventContractError, issueFields } from '#shared/events/event-definition.ts';
import { triggerContract } from '#shared/events/trigger-events.ts';
import { logger } from '#shared/logger.ts';
import { segmentMembers } from '#shared/segments/segment-store.ts';
import { keys } from '#shared/table/keys.ts';
import type { Table } from '#shared/table/table-client.ts';
import { wallTimeAt, type WallTime } from '#shared/schedule/zoned-time.ts';
import { isHeldOut } from '#shared/measurement/holdout.ts';
import { recordHeldOutClaim, recordHeldOutClaims } from '#shared/measurement/holdout-claims.ts';
import { holdUntil } from '#shared/sending/due-sends.ts';
import type { SendQueue } from '#shared/sending/send-queue.ts';
import type { SendRequest } from '#shared/sending/send-request.ts';

export interface PlannerDeps {
  table: Table;
  queue: SendQueue;
  campaigns: ReadonlyMap<string, Campaign>;
  now: () => Date;
  /** Zone of schedules that name none (campaigns.yaml `defaults.timezone`); default UTC. */
  defaultTimeZone?: string;
}

export type PlanResult =
  /** `recipients` is the whole audience; `heldOut` (when any) how many of them got a held-out claim instead of an email. */
  | { planned: true; campaignId: string; occurrenceId: string; recipients: number; heldOut?: number }
  | { planned: false; campaignId: string; reason: 'unknown-campaign' | 'disabled' | 'wrong-kind' | 'no-customer' };

/** Members of any included segment and of no excluded one, sorted (a stable order makes runs comparable). */
export async function resolveAudience(table: Table, audience: { include: readonly string[]; exclude: readonly string[] }): Promise<string[]> {
  const [included, excluded] = await Promise.all([
    Promise.all(audience.include.map((segment) => segmentMembers(table, segment))),
    Promise.all(audience.exclude.map((segment) => segmentMembers(table, segment))),
  ]);
  const out = new Set(included.flat());
  for (const id of excluded.flat()) out.delete(id);
  return [...out].sort();
}

/** A newsletter's occurrence id: its scheduled time to the minute, so a re-delivered schedule is the same occurrence. */
export function newsletterOccurrenceId(scheduledTime: string): string {
  return new Date(scheduledTime).toISOString().slice(0, 16);
}

export async function planNewsletter(deps: PlannerDeps, campaignId: string, scheduledTime: string): Promise<PlanResult> {
  const campaign = deps.campaigns.get(campaignId);
  if (!campaign) return { planned: false, campaignId, reason: 'unknown-campaign' };
  if (!campaign.enabled) return { planned: false, campaignId, reason: 'disabled' };
  if (campaign.kind !== 'newsletter') return { planned: false, campaignId, reason: 'wrong-kind' };
  const occurrenceId = newsletterOccurrenceId(scheduledTime);
  const triggeredAt = new Date(scheduledTime).toISOString();
  const audience = await resolveAudience(deps.table, campaign.audience);
  // Recipient-local delivery: the sender holds each email until the recipient's clock shows the scheduled wall time.
  const localWallTime = campaign.schedule.recipientLocalTime
    ? wallTimeText(wallTimeAt(Date.parse(triggeredAt), campaign.schedule.timezone ?? deps.defaultTimeZone ?? 'UTC'))
    : undefined;
  const heldOut = audience.filter((customerId) => isHeldOut(campaignId, customerId, campaign.holdoutPercent));
  const held = new Set(heldOut);
  // Held-out claims first: should the run die in between, a retry finds them and still queues no email for them.
  await recordHeldOutClaims(
    deps.table,
    heldOut.map((customerId) => ({ campaignId, occurrenceId, customerId, triggeredAt })),
    deps.now(),
  );
  await deps.queue.enqueue(
    audience
      .filter((customerId) => !held.has(customerId))
      .map((customerId): SendRequest => ({ campaignId, occurrenceId, customerId, triggeredAt, ...(localWallTime ? { localWallTime } : {}) })),
  );
  await deps.table.doc.send(
    new PutCommand({
      TableName: deps.table.name,
      Item: {
        ...keys.occurrence(campaignId, occurrenceId),
        entityType: 'OCCURRENCE',
        campaignId,
        occurrenceId,
        recipients: audience.length,
        heldOut: heldOut.length,
        plannedAt: deps.now().toISOString(),
      },
    }),
  );
  return { planned: true, campaignId, occurrenceId, recipients: audience.length, ...(heldOut.length > 0 ? { heldOut: heldOut.length } : {}) };
}

export interface TriggerEvent {
  id: string;
  time: string;
  detail: Record<string, unknown>;
}

/**
 * Plans a triggered campaign's occurrence. The event's detail is parsed with the contract of the campaign's
 * trigger event (its rule only lets that detail-type through). A detail that breaks the contract is a
 * publisher's bug: it is logged (field names, no values) and thrown, so the invocation fails and the event
 * lands in the planner's dead-letter queue with its alarm, ready to redrive once the publisher is fixed —
 * rather than a customer's email silently never being planned.
 */
export async function planTriggered(deps: PlannerDeps, campaignId: string, event: TriggerEvent): Promise<PlanResult> {
  const campaign = deps.campaigns.get(campaignId);
  if (!campaign) return { planned: false, campaignId, reason: 'unknown-campaign' };
  if (!campaign.enabled) return { planned: false, campaignId, reason: 'disabled' };
  if (campaign.kind !== 'triggered') return { planned: false, campaignId, reason: 'wrong-kind' };
  const contract = triggerContract(campaign.trigger.event);
  const detail = contract.safeParse(event.detail);
  if (!detail.success) {
    const violation = new EventContractError(contract.detailType, event.id, issueFields(detail.error));
    logger.error('trigger event breaks its contract; the occurrence fails to the dead-letter queue', {
      campaignId,
      eventId: event.id,
      detailType: contract.detailType,
      fields: violation.fields,
    });
    throw violation;
  }
  const customerId = detail.data.customerId;
  if (customerId === '') return { planned: false, campaignId, reason: 'no-customer' };
  const occurrenceId = campaign.oncePerCustomer ? 'once' : event.id;
  const triggeredAt = new Date(event.time).toISOString();
  const request: SendRequest = { campaignId, occurrenceId, customerId, triggeredAt };
  const delayMs = ((campaign.delay?.days ?? 0) * 24 + (campaign.delay?.hours ?? 0)) * 3_600_000;
  if (isHeldOut(campaignId, customerId, campaign.holdoutPercent)) {
    // Held out as of when the email would have gone, so the report's conversion windows of both groups start alike.
    await recordHeldOutClaim(deps.table, request, new Date(Math.max(deps.now().getTime(), Date.parse(triggeredAt) + delayMs)));
    return { planned: true, campaignId, occurrenceId, recipients: 1, heldOut: 1 };
  }
  if (delayMs > 0) await holdUntil(deps, request, new Date(Date.parse(triggeredAt) + delayMs));
  else await deps.queue.enqueue([request]);
  return { planned: true, campaignId, occurrenceId, recipients: 1 };
}

function wallTimeText(wall: WallTime): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${wall.year}-${two(wall.month)}-${two(wall.day)}T${two(wall.hour)}:${two(wall.minute)}`;
}
