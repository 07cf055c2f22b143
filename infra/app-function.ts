import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { SERVICE_NAME } from '#shared/observability/kinship-metrics.ts';
import { handlerEntry, type FunctionSpec } from '#shared/topology.ts';
import { CHECKED_AT_BUILD_MARKER } from '#shared/config/checked-at-build.ts';
import { markerFileCheckedForSynth } from './config-gate.ts';
import { lazyModuleSpecifier, lazyModulesOf, sideBundleCommands } from './side-bundles.ts';
import { metricsNamespace } from './dashboard.ts';

/** The repository root: entries, the lock file and config/ are resolved against it, whatever the cwd. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Where a function's handler lives: functions/<name>/handler.ts in this repository. */
export function defaultHandlerEntry(spec: FunctionSpec): string {
  return join(repoRoot, handlerEntry(spec));
}

/** What every bundle loads for `semver`, relative to the repository root (the cwd NodejsFunction runs esbuild in). */
export const SEMVER_STAND_IN = 'infra/bundling/semver-gte.ts';

/**
 * How every function is bundled (esbuild through NodejsFunction). Exported so bench/cold-start.ts builds the
 * very same bundles with esbuild's API and measures what Lambda would load.
 */
export const LAMBDA_BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  // Prefer the ESM build of each dependency; fall back to CommonJS where a package has none.
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require(); an ESM bundle has no require unless we make one.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // Bundle the SDK clients we tested against rather than whatever version the runtime ships.
  bundleAwsSDK: true,
  // semver's one importer is the X-Ray SDK's patcher for the v2 AWS SDK, never called here: a 1 KB gte in place of
  // 28 KB that builds its regular expressions at every cold start (infra/bundling/semver-gte.ts, bench/cold-start.ts).
  esbuildArgs: { '--alias': `semver=./${SEMVER_STAND_IN}` },
} satisfies Omit<BundlingOptions, 'commandHooks'>;

/** A function's bundling: LAMBDA_BUNDLING, with its lazy modules left out of index.mjs (infra/side-bundles.ts). */
export function lambdaBundlingFor(spec: Pick<FunctionSpec, 'lazyModules'>): Omit<BundlingOptions, 'commandHooks'> {
  // Setting externalModules replaces NodejsFunction's default, which is empty when bundleAwsSDK is set: the SDK stays in.
  return { ...LAMBDA_BUNDLING, externalModules: lazyModulesOf(spec).map(lazyModuleSpecifier) };
}

/**
 * NODE_OPTIONS every function starts with: none. `--enable-source-maps` was measured (bench/cold-start.ts) to add
 * ~30-60 ms of CPU to every init, the bare handler's included, and it costs again on each stack trace. The maps
 * still ship in the asset (sourceMap above): set the flag on one function to read mapped traces while debugging.
 */
export const LAMBDA_NODE_OPTIONS: string = '';

export interface AppFunctionProps {
  spec: FunctionSpec;
  /** Absolute path of the handler file; defaults to functions/<name>/handler.ts. */
  entry?: string;
  environment?: Record<string, string>;
}

/**
 * Every Kinship Lambda: Node.js 22 on arm64, X-Ray, one-month logs, ESM bundle with source maps, and the
 * repository's config/ folder next to the code (read at cold start from $LAMBDA_TASK_ROOT/config).
 * Feature code only says what differs: the spec (memory, timeout, description) and the environment.
 */
export class AppFunction extends NodejsFunction {
  readonly spec: FunctionSpec;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    // An explicit log group (not the deprecated logRetention custom resource), so retention is plain CloudFormation.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      // Logs carry ids, never personal data, and expire within a month anyway: nothing worth orphaning.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to any log group.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Kinship ${props.spec.name}: only what its topology access entry grants`,
    });
    logGroup.grantWrite(role);

    const checkedMarker = markerFileCheckedForSynth(join(repoRoot, 'config'));

    super(scope, id, {
      entry: props.entry ?? defaultHandlerEntry(props.spec),
      handler: 'handler',
      description: props.spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.spec.memoryMb,
      timeout: Duration.seconds(props.spec.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        // Powertools Metrics (EMF) namespace: context kinship:metricsNamespace, default Kinship. Tracing is Active above.
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(scope),
        ...(LAMBDA_NODE_OPTIONS ? { NODE_OPTIONS: LAMBDA_NODE_OPTIONS } : {}),
        ...props.environment,
      },
      bundling: {
        ...lambdaBundlingFor(props.spec),
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The handlers validate config/*.yaml at cold start, so the asset carries the repository's config/ folder.
          afterBundling: (inputDir: string, outputDir: string) => [
            `cp -R "${join(inputDir, 'config')}" "${join(outputDir, 'config')}"`,
            // Only when the synth gate passed on these very files: the cold start may then skip repeating its checks
            // and read each YAML file's values from the marker (shared/config/checked-at-build.ts).
            ...(checkedMarker ? [`cp "${checkedMarker}" "${join(outputDir, 'config', CHECKED_AT_BUILD_MARKER)}"`] : []),
            ...sideBundleCommands(props.spec, inputDir, outputDir, LAMBDA_BUNDLING),
          ],
        },
      },
    });
    this.spec = props.spec;
  }
}
