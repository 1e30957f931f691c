// Every alarm notifies the alarm topic, which always exists; alarmEmail only adds the e-mail subscription
// (Control Tower CT.CLOUDWATCH.PR.1).
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { ModelHubStack } from '../../../infra/model-hub-stack';
import { sharedSynth, synthTemplate } from '../../support/infra-stack';

describe.each([
  ['without alarmEmail', {}, 0],
  ['with alarmEmail', { alarmEmail: 'ops@example.com' }, 1],
])('alarm topic %s', (_name, context, subscriptions) => {
  let template: Template;
  let topicRef: { Ref: string };

  beforeAll(async () => {
    // The default context is the run's shared synth; another context needs its own.
    const synth = Object.keys(context).length === 0 ? await sharedSynth() : synthTemplate(context);
    template = synth.template;
    const stack = synth.stack as ModelHubStack;
    topicRef = { Ref: stack.getLogicalId(stack.monitoring.alarmTopic.node.defaultChild as never) };
  });

  test('an encrypted topic exists and is an output', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlarmTopicKey'), 'Arn'] },
    });
    expect(template.toJSON().Outputs.AlarmTopicArn.Value).toEqual(topicRef);
  });

  test('all nine alarms (the change-events DLQ one too) notify it on alarm and on recovery', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
      expect(alarm.Properties.OKActions).toEqual([topicRef]);
    }
  });

  test(`has ${subscriptions} e-mail subscription(s)`, () => {
    template.resourceCountIs('AWS::SNS::Subscription', subscriptions);
  });
});
