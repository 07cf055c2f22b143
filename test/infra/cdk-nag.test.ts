import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations, type App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Topology } from '#shared/topology.ts';
import { extendedTopology, KinshipStack, senderIdentity, testApp, testHandlerEntry } from './stack-fixture.ts';

/*
 * cdk-nag 3 is a CDK validation plugin, not an Aspect: its findings never become construct annotations, so
 * `Annotations.fromStack(stack).findError('*', /AwsSolutions-/)` would find nothing whatever the stack holds.
 * They land in the cloud assembly's validation report — the same report `cdk synth` prints — with every
 * acknowledged finding listed under suppressedViolations together with its reason. That report is what we read.
 */

const Violation = z.object({
  ruleName: z.string(),
  severity: z.string().optional(),
  violatingConstructs: z.array(z.object({ constructPath: z.string() })).default([]),
});
const Suppressed = Violation.extend({ acknowledgedId: z.string(), acknowledgedAt: z.string(), reason: z.string() });
const ValidationReport = z.object({
  pluginReports: z.array(z.object({ pluginName: z.string(), violations: z.array(Violation), suppressedViolations: z.array(Suppressed).default([]) })),
});

interface NagResult {
  app: App;
  stack: KinshipStack;
  violations: z.output<typeof Violation>[];
  suppressed: z.output<typeof Suppressed>[];
}

/** Synthesizes like `cdk synth` does (cdk-nag registered on the app), but collects the report instead of failing. */
function synthesizeWithNag(topology?: Topology, addToStack?: (stack: KinshipStack) => void): NagResult {
  const app = testApp({ [FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false });
  // As a deploy should be: with a staff alert email (without one the stack warns; test/infra/measurement.test.ts).
  const stack = new KinshipStack(app, 'Kinship', { topology, handlerEntry: testHandlerEntry, senderIdentity, staffAlertEmail: 'alerts@shop.example' });
  addToStack?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const report = ValidationReport.parse(JSON.parse(readFileSync(join(assembly.directory, VALIDATION_REPORT_FILE), 'utf8')));
  const nag = report.pluginReports.filter((r) => r.pluginName === 'AwsSolutions');
  expect(nag, 'cdk-nag did not report: is the plugin registered?').toHaveLength(1);
  return { app, stack, violations: nag.flatMap((r) => r.violations), suppressed: nag.flatMap((r) => r.suppressedViolations) };
}

/** Every acknowledgement recorded in the construct tree: where, which finding, and why. */
function acknowledgementsIn(root: IConstruct): { path: string; id: string; reason: unknown }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(z.record(z.string(), z.unknown()).parse(entry.data)))
      .map(([id, reason]) => ({ path: construct.node.path, id, reason })),
  );
}

const format = (violations: NagResult['violations']) =>
  violations.map((v) => `${v.severity ?? ''} ${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`);

describe.each([
  ['the real topology', undefined],
  ['a topology with every trigger kind', extendedTopology],
])('cdk-nag AwsSolutions on %s', (_name, topology) => {
  const result = synthesizeWithNag(topology);

  it('reports no unacknowledged error or warning', () => {
    expect(format(result.violations)).toEqual([]);
  });

  it('gives every acknowledged finding a real reason', () => {
    expect(result.suppressed.length).toBeGreaterThan(0);
    for (const { acknowledgedId, reason } of result.suppressed) {
      expect(reason.split(/\s+/).length, `${acknowledgedId}: "${reason}"`).toBeGreaterThanOrEqual(12);
    }
  });

  it('acknowledges single findings only, never a whole rule for a whole stack', () => {
    for (const { acknowledgedId, acknowledgedAt } of result.suppressed) {
      expect(acknowledgedId).toMatch(/^AwsSolutions::AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(acknowledgedAt.split('/').length, `${acknowledgedId} at ${acknowledgedAt}`).toBeGreaterThan(2);
    }
  });

  it('has no stale acknowledgement: each one silences a finding that really occurs', () => {
    const used = new Set(result.suppressed.map((s) => `${s.acknowledgedAt} ${s.acknowledgedId}`));
    const recorded = acknowledgementsIn(result.stack).map((a) => `${a.path} ${a.id}`);
    expect(recorded.filter((a) => !used.has(a))).toEqual([]);
  });

  it('leaves no CDK warning or error on the stack', () => {
    const annotations = Annotations.fromStack(result.stack);
    expect(annotations.findError('*', Match.anyValue()).map((m) => `${m.id}: ${String(m.entry.data)}`)).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue()).map((m) => `${m.id}: ${String(m.entry.data)}`)).toEqual([]);
  });
});

describe('the cdk-nag check itself', () => {
  it('catches a non-compliant resource (so a clean report means something)', () => {
    const { violations } = synthesizeWithNag(undefined, (stack) => {
      new Queue(stack, 'CarelessQueue', { encryption: QueueEncryption.UNENCRYPTED });
    });
    expect(violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
    expect(violations.flatMap((v) => v.violatingConstructs.map((c) => c.constructPath))).toContain('Kinship/CarelessQueue/Resource');
  });
});
