import type { z } from 'zod';

/** Every Kinship event is published with this source. */
export const EVENT_SOURCE = 'kinship';

/** An event ready to publish: its detail-type and its validated detail. */
export interface DomainEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

export interface EventDefinition<N extends string, S extends z.ZodType<Record<string, unknown>>> {
  detailType: N;
  schema: S;
  /** Validates a detail and wraps it for publishing; throws on a contract violation. */
  create(detail: z.input<S>): DomainEvent;
  /** Parses the detail of a received event (consumer side). */
  parse(detail: unknown): z.output<S>;
  /** The EventBridge pattern matching this event, optionally narrowed by detail fields. Used by CDK rules and the local bus alike. */
  pattern(detail?: Record<string, unknown>): { source: string[]; 'detail-type': string[]; detail?: Record<string, unknown> };
}

/** Declares an event once: name, zod schema of its detail, and the rule pattern derived from them. */
export function defineEvent<N extends string, S extends z.ZodType<Record<string, unknown>>>(detailType: N, schema: S): EventDefinition<N, S> {
  return {
    detailType,
    schema,
    create: (detail) => ({ detailType, detail: schema.parse(detail) }),
    parse: (detail) => schema.parse(detail),
    pattern: (detail) => ({ source: [EVENT_SOURCE], 'detail-type': [detailType], ...(detail ? { detail } : {}) }),
  };
}
