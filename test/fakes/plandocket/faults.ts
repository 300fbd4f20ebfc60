/**
 * Plandocket's faults: the common machinery (same `next`/`always`/`clear`/`pending` and fault
 * types as the Wix fake), with matchers naming a path either relative to `/api/v1` or in full.
 */
import { FaultController, routeMatches } from '../common'
import type { LoggedRequest, RouteMatcher } from './types'

/** Both forms match so a test can copy a path from the contract or from a logged URL alike. */
export const requestMatches = (match: RouteMatcher | undefined, method: string, path: string, fullPath: string) =>
  routeMatches(match, method, path) || (fullPath !== path && routeMatches(match, method, fullPath))

export const plandocketFaults = () => new FaultController<LoggedRequest>((match, r) => requestMatches(match, r.method, r.path, r.fullPath))
