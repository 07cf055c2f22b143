/**
 * The local runtime's clock. `real` follows the wall clock, optionally shifted (`--now`, KINSHIP_NOW) so a
 * developer can pretend it is another day; `manual` stands still until a test moves it. The scheduler
 * fires from it and the queues time visibility timeouts with it, so a test can advance hours in
 * milliseconds and still see schedules fire and messages reappear in order.
 */
export interface Clock {
  readonly mode: 'real' | 'manual';
  now(): Date;
  /** Moves the clock to `date` (never backwards) and tells the listeners. */
  advanceTo(date: Date): void;
  /** Called after every move; returns an unsubscribe function. */
  onAdvance(listener: (now: Date) => void): () => void;
}

export function createClock(options: { mode: 'real' | 'manual'; start?: Date | undefined }): Clock {
  const listeners = new Set<(now: Date) => void>();
  // real: now = Date.now() + offset; manual: now = fixed.
  let offsetMs = options.start ? options.start.getTime() - Date.now() : 0;
  let fixedMs = options.start?.getTime() ?? Date.now();
  const nowMs = () => (options.mode === 'real' ? Date.now() + offsetMs : fixedMs);
  return {
    mode: options.mode,
    now: () => new Date(nowMs()),
    advanceTo(date) {
      const target = date.getTime();
      if (Number.isNaN(target)) throw new Error('Clock.advanceTo needs a valid date');
      if (target <= nowMs()) return;
      if (options.mode === 'real') offsetMs = target - Date.now();
      else fixedMs = target;
      const now = new Date(target);
      for (const listener of listeners) listener(now);
    },
    onAdvance(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Parses `--now` / KINSHIP_NOW: an ISO 8601 date-time; a clear error otherwise. */
export function parseClockStart(value: string | undefined, source: string): Date | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    throw new Error(`${source} must be an ISO 8601 date-time such as 2026-12-01T09:00:00Z (got "${value}")`);
  }
  return date;
}
