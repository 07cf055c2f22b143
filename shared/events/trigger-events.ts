/**
 * The events a triggered campaign may start from (config/campaigns.yaml `trigger.event`): the bus events
 * about one customer, each carrying `customerId`. The names come from the contracts, so a campaign can only
 * name an event that has a contract — and a publisher (test/unit/event-contracts.test.ts checks each one).
 */
import type * as z from 'zod';
import type { EventDefinition } from '#shared/events/event-definition.ts';
import { ConsentGiven } from '#shared/events/consent-given.ts';
import { FormSubmitted } from '#shared/events/form-submitted.ts';
import { IncentiveIssued } from '#shared/events/incentive-issued.ts';
import { InteractionRecorded } from '#shared/events/interaction-recorded.ts';
import { PurchaseRecorded } from '#shared/events/purchase-recorded.ts';
import { ReferralCredited } from '#shared/events/referral-credited.ts';
import { SegmentEntered } from '#shared/events/segment-entered.ts';
import { SegmentExited } from '#shared/events/segment-exited.ts';

export const TRIGGER_EVENTS = [
  SegmentEntered.detailType,
  SegmentExited.detailType,
  PurchaseRecorded.detailType,
  FormSubmitted.detailType,
  ConsentGiven.detailType,
  IncentiveIssued.detailType,
  ReferralCredited.detailType,
  InteractionRecorded.detailType,
] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

/** A contract a campaign can be triggered by: its detail names the customer the email goes to. */
export type TriggerContract<N extends string = TriggerEvent> = EventDefinition<N, z.ZodType<{ customerId: string } & Record<string, unknown>>>;

/** Each trigger name's contract; the type checks that every name has one and that each contract bears that name. */
const CONTRACTS: { readonly [N in TriggerEvent]: TriggerContract<N> } = {
  SegmentEntered,
  SegmentExited,
  PurchaseRecorded,
  FormSubmitted,
  ConsentGiven,
  IncentiveIssued,
  ReferralCredited,
  InteractionRecorded,
};

export function triggerContract(event: TriggerEvent): TriggerContract {
  return CONTRACTS[event];
}
