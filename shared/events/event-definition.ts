import type * as z from 'zod';

/** Every Kinship event is published with this source. */
export const EVENT_SOURCE = 'kinship';

/** An event ready to publish: its detail-type and its validated detail. */
export interface DomainEvent {
  detailType: string;
  detail: Record<string, unknown>;
  /**
   * The chain this event continues when it is not the invocation's own: one email of a send batch that mixes several
   * (its request's id). publishEvents puts it in `detail.metadata`; without it, the invocation's current id is used.
   */
  correlationId?: string;
}

export interface EventDefinition<N extends string, S extends z.ZodType<Record<string, unknown>>> {
  detailType: N;
  schema: S;
  /** Validates a detail and wraps it for publishing; throws on a contract violation. */
  create(detail: z.input<S>): DomainEvent;
  /** Parses the detail of a received event (consumer side); throws on a contract violation. */
  parse(detail: unknown): z.output<S>;
  /** Parses the detail of a received event without throwing, for consumers that decide what a violation means. */
  safeParse(detail: unknown): z.ZodSafeParseResult<z.output<S>>;
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
    safeParse: (detail) => schema.safeParse(detail),
    pattern: (detail) => ({ source: [EVENT_SOURCE], 'detail-type': [detailType], ...(detail ? { detail } : {}) }),
  };
}

/**
 * A received event's detail broke its contract: a publisher bug, never bad user input. The message names
 * the event, the event id and the fields — never their values, which may be personal data.
 */
export class EventContractError extends Error {
  constructor(
    readonly detailType: string,
    readonly eventId: string,
    readonly fields: string[],
  ) {
    super(`${detailType} event ${eventId}: detail breaks the ${detailType} contract at ${fields.join(', ')}`);
    this.name = 'EventContractError';
  }
}

/** The fields a zod error is about, as dotted paths (`(detail)` for the detail itself): no values. */
export function issueFields(error: z.ZodError): string[] {
  return [...new Set(error.issues.map((issue) => (issue.path.length > 0 ? issue.path.map(String).join('.') : '(detail)')))];
}
