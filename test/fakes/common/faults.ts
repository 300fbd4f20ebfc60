/**
 * Faults a test arms on demand, shared by every fake so a suite can break any provider the same
 * way. One-off rules (`next`) are consulted before standing ones (`always`), so a test can inject
 * a single failure on top of a degraded network.
 */

export type FaultWhen = 'before' | 'after'

/**
 * `when: 'before'` = the request is not processed (a gateway failure); `'after'` = the request is
 * processed (committed) and only the answer fails. Each type documents its default.
 */
export type Fault =
  /** Default before. Body defaults to '' (real 5xx bodies may be empty). */
  | { type: 'status'; status: number; body?: string | object; when?: FaultWhen }
  /** Never processed: 429 with the provider's own body. Without retryAfterSeconds no Retry-After header is sent. */
  | { type: 'rateLimit'; retryAfterSeconds?: number }
  /** Default before: wait, then process, then answer (processed even if the client gave up). */
  | { type: 'delay'; ms: number; when?: FaultWhen }
  /** Default before. Destroys the socket (TCP RST) without any answer. */
  | { type: 'reset'; when?: FaultWhen }
  /** Default after. 200 with a body that is not JSON. */
  | { type: 'malformed'; body?: string; when?: FaultWhen }
  /**
   * Always after: the real answer cut in half. `lyingLength` (default): Content-Length of the
   * whole body, half sent, socket closed; `closeMidBody`: chunked, half sent, socket closed;
   * `shortBody`: Content-Length of the half, so HTTP completes but the JSON is cut.
   */
  | { type: 'truncated'; mode?: 'lyingLength' | 'closeMidBody' | 'shortBody' }

/** `'POST /some/path'`, `'/some/path'` (any method), a RegExp on the path, or a predicate. */
export type RouteMatcher = string | RegExp | ((request: { method: string; path: string }) => boolean)

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

interface Rule {
  fault: Fault
  match: RouteMatcher | undefined
  remaining: number
}

type Request = { method: string; path: string }

/**
 * `matches` is injectable because a fake may know a request by more than method and path (one
 * served under a base path also answers to its full path).
 */
export class FaultController<R extends Request = Request> implements Faults {
  private rules: Rule[] = []

  constructor(private readonly matches: (match: RouteMatcher | undefined, request: R) => boolean = (match, r) => routeMatches(match, r.method, r.path)) {}

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
  take(request: R): Fault | undefined {
    const ordered = [...this.rules.filter((r) => Number.isFinite(r.remaining)), ...this.rules.filter((r) => !Number.isFinite(r.remaining))]
    const rule = ordered.find((r) => r.remaining > 0 && this.matches(r.match, request))
    if (!rule) return undefined
    rule.remaining -= 1
    if (rule.remaining === 0) this.rules = this.rules.filter((r) => r !== rule)
    return rule.fault
  }
}
