import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The order files start in, so the workers finish together. Vitest's own order needs the durations of an earlier
 * run (node_modules/.vite), which a clean CI checkout never has; without them it starts the biggest files first,
 * and the reliability files are the smallest (each calls a bench scenario), so they used to start last and run
 * one after another while the other worker sat idle. Long-running kinds of file first, by path:
 */
const RANKS: readonly RegExp[] = [
  // The CI-size reliability scenarios and the 500,000-row import: the longest single files (15-50 s each).
  /^test\/integration\/(reliability-|import-500k)/,
  // Headless Chromium.
  /^test\/e2e\//,
  /^test\/integration\//,
  // A CDK stack each (the first synth in a worker costs about 5 s), then the unit tests.
  /^test\/infra\//,
  /^test\/unit\//,
];

function rankOf(spec: TestSpecification): number {
  const path = relative(spec.project.config.root, spec.moduleId);
  const rank = RANKS.findIndex((pattern) => pattern.test(path));
  return rank === -1 ? RANKS.length : rank;
}

const sizeOf = (spec: TestSpecification) => statSync(spec.moduleId).size;

/**
 * Isolated files before the files that share modules (a worker that runs shared-module files keeps going from one
 * to the next only while the queue holds more of them), then by rank, then the bigger file first.
 */
export class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => {
      const isolated = Number(b.project.config.isolate) - Number(a.project.config.isolate);
      if (isolated !== 0) return isolated;
      return rankOf(a) - rankOf(b) || sizeOf(b) - sizeOf(a);
    });
  }
}
