/** What the provider fakes share: the HTTP plumbing and the fault machinery. */
export { FakeHttpServer, parseJsonObject, RateWindow, type Answer, type Incoming, type LoggedRequest, type ProviderWire } from './http-server'
export { FaultController, faultWhen, routeMatches, type Fault, type Faults, type FaultWhen, type RouteMatcher } from './faults'
