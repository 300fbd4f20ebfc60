/**
 * Faults a test arms on demand: the Wix fake's API unchanged (same `next`/`always`/`clear`/
 * `pending`, same fault types). One-off rules (`next`) are consulted before standing ones
 * (`always`), so a test can inject a single failure on top of a degraded network.
 */
import type { Fault, FaultWhen, RouteMatcher } from './types'

interface Rule {
  fault: Fault
  match: RouteMatcher | undefined
  remaining: number
}

export interface Faults {
  /** The next `n` matching requests get `fault`. */
  next(n: number, fault: Fault, match?: RouteMatcher): void
  /** Every matching request gets `fault` until clear(). */
  always(fault: Fault, match?: RouteMatcher): void
  clear(): void
  /** One-off faults not yet used. */
  pending(): number
}

export function routeMatches(match: RouteMatcher | undefined, method: string, path: string): boolean {
  if (match === undefined) return true
  if (typeof match === 'function') return match({ method, path })
  if (match instanceof RegExp) return match.test(path)
  const space = match.indexOf(' ')
  return space < 0 ? match === path : match.slice(0, space).toUpperCase() === method && match.slice(space + 1) === path
}

/** Matches the path relative to `/api/v1` or the full path. */
export const requestMatches = (match: RouteMatcher | undefined, method: string, path: string, fullPath: string) =>
  routeMatches(match, method, path) || (fullPath !== path && routeMatches(match, method, fullPath))

/** Whether the fault strikes before the request is processed or after it was committed. */
export function faultWhen(fault: Fault): FaultWhen {
  switch (fault.type) {
    case 'rateLimit':
      return 'before'
    case 'truncated':
      return 'after'
    case 'malformed':
      return fault.when ?? 'after'
    default:
      return fault.when ?? 'before'
  }
}

export class FaultController implements Faults {
  private rules: Rule[] = []

  next(n: number, fault: Fault, match?: RouteMatcher): void {
    if (!Number.isInteger(n) || n < 1) throw new Error('faults.next needs a positive count')
    this.rules.push({ fault, match, remaining: n })
  }

  always(fault: Fault, match?: RouteMatcher): void {
    this.rules.push({ fault, match, remaining: Number.POSITIVE_INFINITY })
  }

  clear(): void {
    this.rules = []
  }

  pending(): number {
    return this.rules.filter((r) => Number.isFinite(r.remaining)).reduce((sum, r) => sum + r.remaining, 0)
  }

  /** The fault for this request, if any; uses up one count of a one-off rule. */
  take(method: string, path: string, fullPath: string = path): Fault | undefined {
    const ordered = [...this.rules.filter((r) => Number.isFinite(r.remaining)), ...this.rules.filter((r) => !Number.isFinite(r.remaining))]
    const rule = ordered.find((r) => r.remaining > 0 && requestMatches(r.match, method, path, fullPath))
    if (!rule) return undefined
    rule.remaining -= 1
    if (rule.remaining === 0) this.rules = this.rules.filter((r) => r !== rule)
    return rule.fault
  }
}
