/**
 * The desk's request budget with a booking system that limits requests per hour per account
 * (Plandocket: 1,000 an hour on its smallest plan, shared by every desk of the account). The desk
 * counts what it sends in a rolling hour, and obeys `X-RateLimit-*` when the service sends them.
 *
 * Sending marks always goes first: background reading (the day's events, rosters, the poll for
 * other stations' check-ins) stops while less than a reserve of the budget is left, sending stops
 * only when the service itself says nothing is left.
 */
import { ProviderError } from './http'

const HOUR_MS = 3_600_000
/** Part of the budget kept for sending marks: background reading stops before it. */
const SEND_RESERVE = 0.03

export const DEFAULT_REQUEST_BUDGET = 150

export interface BudgetView {
  /** Requests this desk sent in the last hour. */
  used: number
  /** What the desk allows itself per hour (the set-up's plan setting). */
  budget: number
  /** What the service said is left for the account, when it said so. */
  serviceRemaining: number | null
  serviceLimit: number | null
}

export class RequestBudget {
  private readonly sent: number[] = []
  private serviceLimit: number | null = null
  private serviceRemaining: number | null = null
  private serviceResetAt: number | null = null

  constructor(
    private readonly now: () => number,
    public perHour: number = DEFAULT_REQUEST_BUDGET
  ) {}

  private prune(): number {
    const t = this.now()
    while (this.sent.length > 0 && this.sent[0]! <= t - HOUR_MS) this.sent.shift()
    if (this.serviceResetAt !== null && t >= this.serviceResetAt) {
      this.serviceRemaining = null
      this.serviceResetAt = null
    }
    return t
  }

  used(): number {
    this.prune()
    return this.sent.length
  }

  /** When the oldest request of the hour leaves it (a background read may go again then). */
  private freeAt(): number {
    return (this.sent[0] ?? this.now()) + HOUR_MS
  }

  /**
   * Throws a rate-limit error (with when to try again) unless a request of this kind may go now.
   * `send`: a mark going out; `read`: anything the desk reads in the background. The request is
   * counted once it was answered (`answered`): one that never reached the service costs nothing.
   */
  check(kind: 'send' | 'read'): void {
    const t = this.prune()
    if (this.serviceRemaining !== null && this.serviceRemaining <= 0) {
      const wait = Math.max(1000, (this.serviceResetAt ?? t + 60_000) - t)
      throw new ProviderError('rate_limited', 'the service says the hourly request limit is used up', 429, wait)
    }
    if (kind === 'read') {
      const reserve = Math.max(1, Math.ceil(this.perHour * SEND_RESERVE))
      const overOwn = this.sent.length >= this.perHour - reserve
      // The account is shared with other desks: leave the service's last requests for marks too.
      const overService = this.serviceRemaining !== null && this.serviceLimit !== null && this.serviceRemaining <= Math.ceil(this.serviceLimit * SEND_RESERVE)
      if (overOwn || overService) {
        const wait = Math.max(1000, overService && this.serviceResetAt !== null ? this.serviceResetAt - t : this.freeAt() - t)
        throw new ProviderError('rate_limited', 'the desk keeps its remaining requests this hour for sending check-ins', null, wait)
      }
    }
  }

  /** A request got an answer (any status): it counts against the hour. */
  answered(headers: Headers): void {
    this.sent.push(this.prune())
    this.noteHeaders(headers)
  }

  /** check() and answered() together, for a request known to have reached the service. */
  take(kind: 'send' | 'read'): void {
    this.check(kind)
    this.sent.push(this.prune())
  }

  /** Reads `X-RateLimit-Limit`, `-Remaining` and `-Reset` (unix seconds, or seconds from now). */
  noteHeaders(headers: Headers): void {
    const num = (name: string) => {
      const v = headers.get(name)
      if (v === null || v.trim() === '') return null
      const n = Number(v)
      return Number.isFinite(n) ? n : null
    }
    const limit = num('x-ratelimit-limit')
    const remaining = num('x-ratelimit-remaining')
    const reset = num('x-ratelimit-reset')
    if (limit !== null) this.serviceLimit = limit
    if (remaining !== null) this.serviceRemaining = remaining
    if (reset !== null) this.serviceResetAt = reset > 1e9 ? reset * 1000 : this.now() + reset * 1000
  }

  /** How long the idle desk should wait between two polls of a roster's check-ins. */
  pollIntervalMs(pagesPerPoll = 1): number {
    // About 90 % of the budget for the poll; the rest refreshes the day and the roster (every 20 min)
    // and stays in reserve for sending marks.
    return Math.max(10_000, Math.ceil((HOUR_MS * Math.max(1, pagesPerPoll)) / (this.perHour * 0.9)))
  }

  view(): BudgetView {
    return { used: this.used(), budget: this.perHour, serviceRemaining: this.serviceRemaining, serviceLimit: this.serviceLimit }
  }
}
