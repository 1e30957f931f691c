// Per-route throttling on the HTTP API's stage: HttpStage has no route-level throttle property, so the stage's
// RouteSettings are set key by key (additively, so each construct adds its own routes' limits).
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';

/** Steady-state rate (requests per second) and burst of a route. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * Pins `throttle` on each route. The stage must be created after its routes, or CloudFormation rejects the unknown
 * route keys, so the stage is made to depend on them.
 */
export function throttleRoutes(stage: apigwv2.HttpStage, routes: readonly apigwv2.HttpRoute[], throttle: RouteThrottle): void {
  stage.node.addDependency(...routes);
  const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
  for (const route of routes) {
    const routeKey = (route.node.defaultChild as apigwv2.CfnRoute).routeKey;
    // A property path is split at dots; route keys hold none ("GET /gateway/api/v1/{proxy+}").
    if (routeKey.includes('.')) throw new Error(`route key ${routeKey} contains a dot, which a RouteSettings override cannot address`);
    cfnStage.addPropertyOverride(`RouteSettings.${routeKey}`, {
      ThrottlingRateLimit: throttle.rateLimit,
      ThrottlingBurstLimit: throttle.burstLimit,
    });
  }
}
