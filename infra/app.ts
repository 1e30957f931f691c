// The CDK app `cdk synth` and `cdk deploy` run (cdk.json): one ModelHubStack, checked by the policy plugins.
import { App } from 'aws-cdk-lib';
import { readHubConfig } from './config';
import { ModelHubStack } from './model-hub-stack';
import { addPolicyChecks } from './policy-validation';

// Every synth (and therefore every deploy) runs the Control Tower rules and the AWS Solutions checks; a failed
// rule or an unacknowledged finding fails it.
const app = new App();
addPolicyChecks(app);
const config = readHubConfig(app);
new ModelHubStack(app, config.stackName, {
  stackName: config.stackName,
  config,
  // Environment-agnostic on purpose: synth works offline and without credentials; deploy uses the CLI's account/region.
});
