/** Bitbucket Cloud API 2.0 simulator backed by real git repositories, for tests, benchmarks and demos. */
export {
  startBitbucketSimulator,
  type BitbucketSimulator,
  type BitbucketSimulatorOptions,
  type FaultRule,
  type SimulatedAccessToken,
  type SimulatedDelivery,
  type SimulatedRepository,
  type SimulatedWebhook,
  type SimulatorRequest,
} from './bitbucket-simulator';
export { type PushChange } from './webhook-payload';
