import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { z } from 'zod';
import { handlerEntry, topology, type FunctionSpec, type Topology } from '#shared/topology.ts';
// eslint-disable-next-line no-restricted-imports -- package.json has no #infra/* alias yet; this is the one place tests reach into infra/.
import { KinshipStack, type KinshipStackProps } from '../../infra/kinship-stack.ts';

export { KinshipStack };

const cdkJson = z.object({ context: z.record(z.string(), z.unknown()) }).parse(JSON.parse(readFileSync('cdk.json', 'utf8')));

/**
 * An App with the same feature flags as `cdk synth` (from cdk.json), with bundling skipped: the assertions are
 * about the template, and running esbuild for every function in every test would only make them slow.
 */
export function testApp(extraContext: Record<string, unknown> = {}): App {
  return new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...extraContext } });
}

/** The handler used for test-only functions, which have no functions/<name>/handler.ts. */
const stubHandler = fileURLToPath(new URL('./fixtures/stub-handler.ts', import.meta.url));
const realFunctions = new Set(topology.functions.map((fn) => fn.name));

export function testHandlerEntry(spec: FunctionSpec): string {
  return realFunctions.has(spec.name) ? fileURLToPath(new URL(`../../${handlerEntry(spec)}`, import.meta.url)) : stubHandler;
}

export interface Synthesized {
  app: App;
  stack: KinshipStack;
  template: Template;
}

/** Stacks built on the default test app, by their props: the same stack for every test file a worker runs. */
const built = new Map<string, Synthesized>();

/**
 * The stack for these props. Without an `app` of its own, the same props give the same (read-only) stack to every
 * caller in this worker: tests only read a template and annotations, and test/infra shares modules between files
 * (vitest.config.ts), so building a stack once instead of once per file saves a synth per file.
 * Props with a function in them (a handlerEntry) are not shared, since their key could not tell two apart.
 */
export function synthesize(props: KinshipStackProps = {}, app?: App): Synthesized {
  // The real topology sends email (the incentive form's opt-in), so a sender identity is always given.
  const full: KinshipStackProps = { handlerEntry: testHandlerEntry, senderIdentity, ...props };
  const key = app === undefined && props.handlerEntry === undefined ? JSON.stringify(full) : undefined;
  const shared = key === undefined ? undefined : built.get(key);
  if (shared) return shared;
  const ownApp = app ?? testApp();
  const stack = new KinshipStack(ownApp, 'Kinship', full);
  const result = { app: ownApp, stack, template: Template.fromStack(stack) };
  if (key !== undefined) built.set(key, result);
  return result;
}

/** A function spec with harmless defaults, for building test topologies. */
export function aFunctionSpec(overrides: Partial<FunctionSpec> & Pick<FunctionSpec, 'name'>): FunctionSpec {
  return { feature: 'test', description: `test function ${overrides.name}`, memoryMb: 256, timeoutSeconds: 10, access: {}, triggers: [], ...overrides };
}

/** A real EventBridge pattern with kebab-case keys and a prefix matcher: what the rule must carry verbatim. */
export const segmentEnteredPattern = {
  source: ['kinship'],
  'detail-type': ['SegmentEntered'],
  detail: { segment: [{ prefix: 'rfm-' }] },
};

/**
 * The real topology plus one function per trigger kind the real one does not use yet: a public route,
 * a schedule, a bus rule and a queue consumer (that sends email).
 */
export const extendedTopology: Topology = {
  functions: [
    ...topology.functions,
    // The real topology has its own show-form now; keep this stand-in only while it does not.
    ...(realFunctions.has('show-form')
      ? []
      : [
          aFunctionSpec({
            name: 'show-form',
            access: { table: { mode: 'read', keys: ['ORDER#'] }, signingKey: true },
            triggers: [{ kind: 'http', method: 'GET', path: '/form/{formToken}', auth: 'public' }],
          }),
        ]),
    aFunctionSpec({
      name: 'segmenter',
      timeoutSeconds: 300,
      access: { table: { mode: 'read', keys: { wholeTable: 'the fixture scans' } }, publishEvents: true },
      triggers: [{ kind: 'schedule', name: 'hourly', expression: 'rate(1 hour)', timezone: 'Atlantic/Reykjavik' }],
    }),
    aFunctionSpec({
      name: 'planner',
      access: { table: { mode: 'read', keys: ['CUST#'] }, sendToQueues: ['outbox'] },
      triggers: [{ kind: 'event', name: 'segment-entered', pattern: segmentEnteredPattern }],
    }),
    aFunctionSpec({
      name: 'sender',
      timeoutSeconds: 30,
      access: { table: { mode: 'readWrite', keys: ['CUST#', 'SEND#'], deletes: true }, sendEmail: true },
      triggers: [{ kind: 'queue', queue: 'outbox', batchSize: 10 }],
    }),
  ],
  queues: [...topology.queues, { name: 'outbox', visibilityTimeoutSeconds: 180, maxReceiveCount: 5 }],
};

export const senderIdentity = 'mail.example.com';

/** The logical id CloudFormation sees for a construct's resource (its default child for L2 constructs). */
export function logicalId(construct: IConstruct): string {
  const resource: IConstruct = construct.node.defaultChild ?? construct;
  if (!CfnElement.isCfnElement(resource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
}

export const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
export const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

/** The function of a topology entry, or a clear failure naming it. */
export function functionOf(stack: KinshipStack, name: string) {
  const fn = stack.functions.functions.get(name);
  if (!fn) throw new Error(`the stack has no function ${name}`);
  return fn;
}

/** A construct by its path below `scope`, or a failure naming the path. */
export function childOf(scope: IConstruct, ...path: string[]): IConstruct {
  let current = scope;
  for (const id of path) {
    const next = current.node.tryFindChild(id);
    if (!next) throw new Error(`${current.node.path} has no child ${id}`);
    current = next;
  }
  return current;
}

const Statement = z.object({
  Effect: z.enum(['Allow', 'Deny']),
  Action: z.union([z.string(), z.array(z.string())]).transform((a) => (Array.isArray(a) ? a : [a])),
  Resource: z.unknown().transform((r) => (Array.isArray(r) ? r : [r])),
  Condition: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});
export type Statement = z.output<typeof Statement>;

const PolicyResource = z.object({
  Properties: z.object({
    PolicyDocument: z.object({ Statement: z.array(Statement) }),
    Roles: z.array(z.unknown()),
  }),
});

/** Every statement of every identity policy attached to the role (CDK merges grants into the role's default policy). */
export function statementsOfRole(template: Template, role: IConstruct): Statement[] {
  const roleRef = ref(role);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .map((resource) => PolicyResource.parse(resource).Properties)
    .filter((policy) => policy.Roles.some((r) => JSON.stringify(r) === JSON.stringify(roleRef)))
    .flatMap((policy) => policy.PolicyDocument.Statement);
}

/** The resources the role is allowed `action` on (from all statements that name it). */
export function resourcesFor(statements: Statement[], action: string): unknown[] {
  return statements.filter((s) => s.Effect === 'Allow' && s.Action.includes(action)).flatMap((s) => s.Resource);
}
