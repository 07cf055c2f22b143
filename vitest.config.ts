import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { SlowestFirstSequencer } from './test/support/slowest-first-sequencer.ts';

// The global setup (DynamoDB Local) loads the SDK in this process: keep its Node 20 notice out of the report.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Unit tests whose module state must start fresh in each file: a vi.mock that counts when a module is evaluated,
 * an environment variable read when a module is first imported, a cached secret with a fake clock.
 */
const ownModuleState = [
  'test/unit/report-charts-lazy.test.ts',
  'test/unit/observability.test.ts',
  'test/unit/key-rotation.test.ts',
  'test/unit/load-yaml-lambda.test.ts',
];

/**
 * What every project runs with. Spread into each project rather than inherited with `extends: true`: an inherited
 * globalSetup runs once per project as well as at the root, i.e. three DynamoDB Locals started one after another.
 * The root's one (below) is enough: projects see what the root project provides.
 */
const common = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
  env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  pool: 'forks',
} as const;

export default defineConfig({
  test: {
    // Which files run: the includes of the two projects below (a new folder of tests goes into one of them).
    globalSetup: ['test/global-setup.ts'],
    // The JSON report is what .ci/run counts passed/failed tests from.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    // Vitest's default is one worker per core less one: a single worker on CI's two cores, where much of the run
    // waits on DynamoDB Local (its own JVM), SES back-offs and Chromium rather than on the worker's CPU.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowestFirstSequencer },
    projects: [
      {
        test: {
          ...common,
          name: 'isolated',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', ...ownModuleState],
        },
      },
      {
        // Pure unit tests and CDK assertions keep no state between files, so a worker runs one file after another
        // without importing zod, the AWS SDK and aws-cdk-lib again for each (and test/infra/stack-fixture.ts keeps
        // the stacks it built). Integration tests stay isolated: handlers read their environment at import.
        test: {
          ...common,
          name: 'shared-modules',
          include: ['test/unit/**/*.test.ts', 'test/infra/**/*.test.ts'],
          exclude: ownModuleState,
          isolate: false,
        },
      },
    ],
  },
});
