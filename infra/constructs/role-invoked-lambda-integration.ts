// An HTTP API → Lambda integration that invokes the function through an IAM role of this account instead of a
// resource-based permission on the function, so the function's policy stays empty (Control Tower CT.LAMBDA.PR.2).
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Like HttpLambdaIntegration (Lambda proxy, payload format 2.0), minus its `apigateway.amazonaws.com` permission.
 * That permission names the API by an ARN built with Fn::Join, in which CT.LAMBDA.PR.2 cannot see the account;
 * SourceAccount would be `{ Ref: AWS::AccountId }` in this environment-agnostic stack, which the rule does not
 * accept either. API Gateway instead assumes a role that may invoke this one function and nothing else.
 */
export class RoleInvokedLambdaIntegration extends apigwv2.HttpRouteIntegration {
  constructor(
    id: string,
    private readonly handler: lambda.IFunction,
  ) {
    super(id);
  }

  bind(options: apigwv2.HttpRouteIntegrationBindOptions): apigwv2.HttpRouteIntegrationConfig {
    const role = new iam.Role(options.scope, 'InvokeRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: `Lets the HTTP API invoke ${this.handler.node.path}`,
    });
    // Not grantInvoke(): that also allows every version and alias ("<arn>:*"), which the route never calls.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.handler.functionArn] }));
    return {
      type: apigwv2.HttpIntegrationType.AWS_PROXY,
      uri: this.handler.functionArn,
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      credentials: apigwv2.IntegrationCredentials.fromRole(role),
    };
  }
}
