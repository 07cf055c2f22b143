/**
 * The contract every reliability scenario (bench/reliability/<name>.ts) implements. `npm run reliability` runs each
 * at `full` size and writes bench/results/reliability-<name>.json; the CI-sized run (`ci`) is called from
 * test/integration/reliability-<name>.test.ts, which asserts that `violations` is empty.
 */
export type ReliabilityScale = 'full' | 'ci';

export interface ReliabilityReport {
  /** Human lines printed by the runner, e.g. "10,000 submissions, 0 lost answers, 0 duplicate incentives, 0 5xx". */
  summary: string[];
  /** Measured figures, written as JSON to bench/results/reliability-<name>.json. */
  result: Record<string, unknown>;
  /** Every guarantee the run broke, one sentence each; empty when the scenario passed. */
  violations: string[];
}

/** Where a scenario runs; `npm run reliability` passes nothing, so each scenario starts what it needs. */
export interface ReliabilityOptions {
  /**
   * A DynamoDB Local that is already running (the test suite's): the scenario uses a fresh table in it instead of
   * starting a Java process of its own. Not for dynamodb-restart, which kills and restarts its own.
   */
  dynamoDbEndpoint?: string | undefined;
}

export interface ReliabilityScenario {
  description: string;
  run(scale: ReliabilityScale, options?: ReliabilityOptions): Promise<ReliabilityReport>;
}
