import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '#shared/config/load-yaml.ts';
import { loadEmailConfig, senderDomain } from '#shared/email/email-config.ts';
import { repoRoot } from './app-function.ts';
import { checkConfigForSynth } from './config-gate.ts';
import { KinshipStack } from './kinship-stack.ts';

// The functions read config/ at cold start (shop.yaml; campaigns.yaml and its templates with the checks of
// `campaigns validate`); a mistake there must stop the synth, not the first request.
try {
  checkConfigForSynth(join(repoRoot, 'config'));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`cdk synth stopped: config/ is invalid, so the deployed functions could not start.\n${error.message}`);
  process.exit(1);
}

const app = new App();
const senderIdentity: unknown = app.node.tryGetContext('kinship:senderIdentity');

new KinshipStack(app, 'Kinship', {
  description: "Kinship: marketing automation in the shop's own AWS account",
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  // -c kinship:senderIdentity=… wins; else the domain of config/email.yaml's `from`, the address the functions send from.
  senderIdentity: typeof senderIdentity === 'string' && senderIdentity !== '' ? senderIdentity : senderDomain(loadEmailConfig(join(repoRoot, 'config'), {})),
});

// cdk-nag 3: a validation plugin; findings (and acknowledged ones, with reasons) are in cdk.out/validation-report.json.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
