/**
 * Fault injection for the local SES (the mailbox simulator in front of the emulator): what a busy or flaky SES does
 * to a sender, on purpose and repeatably.
 *
 *   throttle — answers 429 TooManyRequestsException (SES v2's error shape) and delivers nothing
 *   timeout  — accepts and stores the email (its events follow as usual) but answers only after `timeoutDelayMs`,
 *              beyond the sender's client timeout: the sender cannot know it was sent
 *   drop     — stores nothing and answers after `timeoutDelayMs`: a request lost on the way (no events follow)
 *
 * Set with `KINSHIP_SES_FAULTS='{"throttleRate":0.3,"timeoutRate":0.02,"seed":7}'` or at run time with
 * `POST /_local/ses/faults` on the SES port (`GET` shows the settings and what was injected). Each decision is a
 * hash of the seed, the recipient and how many sends to that recipient came before, so a run is the same whatever
 * order concurrent workers' requests arrive in.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const SesFaultsSchema = z
  .strictObject({
    throttleRate: z.number().min(0).max(1).default(0),
    timeoutRate: z.number().min(0).max(1).default(0),
    dropRate: z.number().min(0).max(1).default(0),
    /** How late a timed-out or dropped call is answered: longer than the sender's SES client timeout. */
    timeoutDelayMs: z.number().int().min(0).max(600_000).default(15_000),
    seed: z.number().int().default(1),
  })
  .refine((f) => f.throttleRate + f.timeoutRate + f.dropRate <= 1, {
    message: 'throttleRate + timeoutRate + dropRate must be at most 1',
    path: ['throttleRate'],
  });
export type SesFaultSettings = z.output<typeof SesFaultsSchema>;

export type SesFault = 'throttle' | 'timeout' | 'drop';

export interface SesFaultCounts {
  sends: number;
  throttled: number;
  timedOut: number;
  dropped: number;
}

export interface SesFaults {
  /** The fault (if any) for the next send to these recipients. */
  decide(recipients: readonly string[]): SesFault | undefined;
  settings(): SesFaultSettings;
  set(settings: SesFaultSettings): void;
  counts(): SesFaultCounts;
}

export const NO_FAULTS: SesFaultSettings = SesFaultsSchema.parse({});

export function createSesFaults(initial: SesFaultSettings = NO_FAULTS): SesFaults {
  let current = initial;
  const attempts = new Map<string, number>();
  const counts: SesFaultCounts = { sends: 0, throttled: 0, timedOut: 0, dropped: 0 };
  return {
    decide(recipients) {
      counts.sends++;
      const who = recipients.join(',').toLowerCase();
      const attempt = attempts.get(who) ?? 0;
      attempts.set(who, attempt + 1);
      const roll = unitHash(`${current.seed}:${who}:${attempt}`);
      if (roll < current.throttleRate) {
        counts.throttled++;
        return 'throttle';
      }
      if (roll < current.throttleRate + current.timeoutRate) {
        counts.timedOut++;
        return 'timeout';
      }
      if (roll < current.throttleRate + current.timeoutRate + current.dropRate) {
        counts.dropped++;
        return 'drop';
      }
      return undefined;
    },
    settings: () => current,
    set(settings) {
      current = settings;
    },
    counts: () => ({ ...counts }),
  };
}

/** `KINSHIP_SES_FAULTS` (JSON), checked at start: a bad value stops the start with the field that is wrong. */
export function sesFaultsFromEnvironment(env: NodeJS.ProcessEnv = process.env): SesFaultSettings | undefined {
  const text = env.KINSHIP_SES_FAULTS;
  if (text === undefined || text.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`KINSHIP_SES_FAULTS must be JSON such as {"throttleRate":0.3,"timeoutRate":0.02,"seed":7}`);
  }
  const parsed = SesFaultsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`KINSHIP_SES_FAULTS: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** A number in [0, 1) from the text: the first 48 bits of its SHA-256. */
function unitHash(text: string): number {
  return createHash('sha256').update(text).digest().readUIntBE(0, 6) / 2 ** 48;
}
