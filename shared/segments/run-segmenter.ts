/**
 * One segmenter run: scan profiles and current memberships, compute every segment as of `now`, and apply only
 * the difference — a membership item put (with its GSI2 index keys) per entry, a delete per exit, and a
 * SegmentEntered / SegmentExited event for each. Nothing changed → nothing written, nothing published, no
 * run record.
 *
 * Ordering: each chunk of changes is published before it is written. A crash between the two re-detects the
 * same changes on the next run and publishes them again: events are at-least-once, never lost.
 */
import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '#shared/events/event-definition.ts';
import { publishEvents, type EventBus } from '#shared/events/publish-events.ts';
import { SegmentEntered } from '#shared/events/segment-entered.ts';
import { SegmentExited } from '#shared/events/segment-exited.ts';
import { chunk, forEachConcurrent } from '#shared/runtime/concurrency.ts';
import { profileFromItem } from '#shared/profiles/customer-profile.ts';
import { computeSegments, isMember, type Segmentation } from '#shared/segments/compute-segments.ts';
import { computeSegmentsInParallel, computeThreads, MIN_PROFILES_FOR_WORKERS, startRankWorkers, type RankWorkers } from '#shared/segments/parallel-compute.ts';
import { ProfileColumnsBuilder } from '#shared/segments/profile-columns.ts';
import type { SegmentsConfig } from '#shared/segments/segment-config.ts';
import { planSegments, segmentIndexById, type SegmentPlan } from '#shared/segments/segment-plan.ts';
import { describeSegment } from '#shared/segments/segment-reasons.ts';
import { recordRun, scanProfilesAndMemberships, writeMemberships, type MembershipWrite, type ScanStats } from '#shared/segments/segment-store.ts';
import type { Table } from '#shared/table/table-client.ts';

export interface SegmenterDeps {
  table: Table;
  bus: EventBus;
  config: SegmentsConfig;
  /** The shop's base currency, for money in reasons. */
  currency: string;
  /** Wall clock, for the run's own timestamps (not the as-of time). */
  clock?: () => Date;
  /** Threads for the compute; default: the cores available (in Lambda, the vCPUs its memory buys). */
  computeThreads?: number;
}

export interface SegmenterRunSummary {
  runId: string;
  asOf: string;
  profiles: number;
  scored: number;
  entered: number;
  exited: number;
  /** Membership items put or deleted (0 on a run that changed nothing). */
  writes: number;
  events: number;
  recorded: boolean;
  counts: Record<string, number>;
  scan: ScanStats;
  timings: { scanMs: number; computeMs: number; applyMs: number; totalMs: number };
  /** Threads the compute ran on (1 below MIN_PROFILES_FOR_WORKERS profiles or on one core). */
  computeThreads: number;
}

interface Change {
  customerId: string;
  segment: string;
  entered: boolean;
  reason: string;
}

const CHUNK = 500;
const PUBLISH_CONCURRENCY = 4;

export async function runSegmenter(deps: SegmenterDeps, options: { now: Date; runId?: string }): Promise<SegmenterRunSummary> {
  const clock = deps.clock ?? (() => new Date());
  const started = clock();
  const t0 = performance.now();
  const runId = options.runId ?? randomUUID();
  const asOf = options.now.toISOString();
  const plan = planSegments(deps.config, options.now, deps.currency);
  const { scan, current, segmentation, threads, scannedAt: t1 } = await scanAndCompute(deps, plan);
  const t2 = performance.now();

  const { changes, entered, exited } = diffMemberships(segmentation, current);
  let events = 0;
  for (const part of chunk(changes, CHUNK)) {
    const domainEvents: DomainEvent[] = part.map((c) =>
      (c.entered ? SegmentEntered : SegmentExited).create({ customerId: c.customerId, segment: c.segment, reason: c.reason, runId, asOf }),
    );
    await forEachConcurrent(chunk(domainEvents, 10), PUBLISH_CONCURRENCY, (batch) => publishEvents(deps.bus, batch, options.now));
    events += domainEvents.length;
    const writes: MembershipWrite[] = part.map((c) =>
      c.entered
        ? { put: { customerId: c.customerId, segment: c.segment, enteredAt: asOf, runId, reason: c.reason } }
        : { delete: { customerId: c.customerId, segment: c.segment } },
    );
    await writeMemberships(deps.table, writes, deps.config.run.writeConcurrency);
  }
  const counts = Object.fromEntries(plan.segments.map((s, i) => [s.id, segmentation.counts[i] ?? 0]));
  const t3 = performance.now();
  if (changes.length > 0) {
    await recordRun(deps.table, {
      runId,
      asOf,
      startedAt: started.toISOString(),
      finishedAt: clock().toISOString(),
      profiles: segmentation.columns.count,
      counts,
      entered,
      exited,
      cutoffs: segmentation.cutoffs,
      durationMs: Math.round(t3 - t0),
    });
  }
  return {
    runId,
    asOf,
    profiles: segmentation.columns.count,
    scored: segmentation.cutoffs.scored,
    entered: Object.values(entered).reduce((a, b) => a + b, 0),
    exited: Object.values(exited).reduce((a, b) => a + b, 0),
    writes: changes.length,
    events,
    recorded: changes.length > 0,
    counts,
    scan,
    timings: { scanMs: Math.round(t1 - t0), computeMs: Math.round(t2 - t1), applyMs: Math.round(t3 - t2), totalMs: Math.round(performance.now() - t0) },
    computeThreads: threads,
  };
}

/**
 * The scan, then the compute — on worker threads for a shop big enough to gain from them (started mid-scan, at
 * the MIN_PROFILES_FOR_WORKERS-th profile, so their start overlaps the reads), else on this thread.
 */
async function scanAndCompute(deps: SegmenterDeps, plan: SegmentPlan) {
  const builder = new ProfileColumnsBuilder(plan, 4096);
  const current: { customerId: string; segment: string }[] = [];
  const threads = deps.computeThreads ?? computeThreads();
  let workers: RankWorkers | undefined;
  try {
    const scan = await scanProfilesAndMemberships(deps.table, deps.config.run.scanSegments, {
      onProfile: (item) => {
        if (builder.add(profileFromItem(item)) + 1 === MIN_PROFILES_FOR_WORKERS && threads > 1) workers = startRankWorkers(threads);
      },
      onMembership: (customerId, segment) => current.push({ customerId, segment }),
    });
    const scannedAt = performance.now();
    const segmentation = workers ? await computeSegmentsInParallel(plan, builder.build(), workers) : computeSegments(plan, builder.build());
    return { scan, current, segmentation, threads: workers?.threads ?? 1, scannedAt };
  } finally {
    await workers?.close();
  }
}

/**
 * Compares computed memberships with the stored ones. Stored memberships of a customer whose profile is gone,
 * or of a segment no longer in config, are exits too.
 */
export function diffMemberships(
  s: Segmentation,
  stored: readonly { customerId: string; segment: string }[],
): { changes: Change[]; entered: Record<string, number>; exited: Record<string, number> } {
  const { plan, columns } = s;
  const words = plan.words;
  const rowOf = new Map<string, number>();
  columns.ids.forEach((id, row) => rowOf.set(id, row));
  const segmentOf = segmentIndexById(plan);
  const had = new Uint32Array(columns.count * words);
  const changes: Change[] = [];
  const entered: Record<string, number> = {};
  const exited: Record<string, number> = {};
  const exit = (customerId: string, segment: string, reason: string) => {
    changes.push({ customerId, segment, entered: false, reason });
    exited[segment] = (exited[segment] ?? 0) + 1;
  };
  for (const { customerId, segment } of stored) {
    const row = rowOf.get(customerId);
    const index = segmentOf.get(segment);
    if (row === undefined) exit(customerId, segment, 'profile removed');
    else if (index === undefined) exit(customerId, segment, 'segment no longer in config/segments.yaml');
    else {
      const at = row * words + (index >>> 5);
      had[at] = ((had[at] ?? 0) | (1 << (index & 31))) >>> 0;
    }
  }
  for (let row = 0; row < columns.count; row++) {
    for (let w = 0; w < words; w++) {
      const want = columns.membership[row * words + w] ?? 0;
      const have = had[row * words + w] ?? 0;
      let diff = (want ^ have) >>> 0;
      while (diff !== 0) {
        const bit = 31 - Math.clz32(diff);
        diff = (diff & ~(1 << bit)) >>> 0;
        const index = w * 32 + bit;
        const segment = plan.segments[index]?.id ?? '';
        const customerId = columns.ids[row] ?? '';
        const reason = describeSegment(s, row, index);
        if (isMember(s, row, index)) {
          changes.push({ customerId, segment, entered: true, reason });
          entered[segment] = (entered[segment] ?? 0) + 1;
        } else exit(customerId, segment, reason);
      }
    }
  }
  return { changes, entered, exited };
}
