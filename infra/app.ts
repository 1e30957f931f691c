import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readHubConfig } from './config';
import { ModelHubStack } from './model-hub-stack';

const app = new App();
// Every synth (and therefore every deploy) runs the AWS Solutions checks; an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const config = readHubConfig(app);
new ModelHubStack(app, config.stackName, {
  stackName: config.stackName,
  config,
  // Environment-agnostic on purpose: synth works offline and without credentials; deploy uses the CLI's account/region.
});
