import { SvelteMap } from 'svelte/reactivity'
import type { RosterRow } from '../../../shared/contract'
import { api } from '../lib/api'

/** Rows fetched per `roster.page` call. */
export const PAGE_SIZE = 200

/**
 * One search over one session's roster: pages of PAGE_SIZE rows fetched on demand by offset and
 * cached, so a 100,000-row roster costs only the pages the desk actually scrolls to.
 */
export class RosterQuery {
  readonly sessionId: number
  readonly search: string
  /** Matching rows; null until the first page has answered. */
  total = $state<number | null>(null)
  /** The last failure loading a page (cleared by the next success). */
  error = $state<unknown>(null)
  readonly #pages = new SvelteMap<number, RosterRow[]>()
  // Bookkeeping only (nothing renders from it), so a plain Map on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #inFlight = new Map<number, Promise<void>>()
  /** The latest row seen for each person replaced in place (not rendered from: a plain Map). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #newest = new Map<number, RosterRow>()

  constructor(sessionId: number, search: string) {
    this.sessionId = sessionId
    this.search = search
  }

  /** The row at an index, or undefined while its page is not loaded. */
  row(index: number): RosterRow | undefined {
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE]
  }

  /** Resolves once the first page (and so the total) is in; rejects if it cannot be loaded. */
  ready(): Promise<void> {
    return this.#load(0)
  }

  /** Make sure the rows [start, end) are loaded or on their way. Failures land in `error`. */
  ensure(start: number, end: number): void {
    const lastIndex = this.total === null ? start : Math.max(start, Math.min(end, this.total) - 1)
    for (let p = Math.floor(start / PAGE_SIZE); p <= Math.floor(lastIndex / PAGE_SIZE); p++) {
      if (!this.#pages.has(p)) this.#load(p).catch(() => {})
    }
  }

  /** Fetch again the loaded pages covering [start, end) (another screen may have marked people). */
  async refresh(start: number, end: number): Promise<void> {
    const jobs: Promise<void>[] = []
    for (let p = Math.floor(start / PAGE_SIZE); p <= Math.floor(Math.max(start, end - 1) / PAGE_SIZE); p++) {
      if (this.#pages.has(p) && !this.#inFlight.has(p)) jobs.push(this.#fetch(p))
    }
    await Promise.all(jobs)
  }

  /**
   * Put a row returned by a mark or pushed by main in place of the cached one (no refetch). A call's
   * answer and a pushed change can arrive in either order: the row main read later wins.
   */
  replace(row: RosterRow): void {
    const known = this.#newest.get(row.participationId)
    if (known && known.readAt > row.readAt) return
    this.#newest.set(row.participationId, row)
    for (const [p, rows] of this.#pages) {
      const i = rows.findIndex((r) => r.participationId === row.participationId)
      if (i >= 0 && rows[i]!.readAt <= row.readAt) {
        const next = rows.slice()
        next[i] = row
        this.#pages.set(p, next)
      }
    }
  }

  #load(p: number): Promise<void> {
    if (this.#pages.has(p)) return Promise.resolve()
    let pending = this.#inFlight.get(p)
    if (!pending) {
      pending = this.#fetch(p).finally(() => this.#inFlight.delete(p))
      this.#inFlight.set(p, pending)
    }
    return pending
  }

  async #fetch(p: number): Promise<void> {
    try {
      const { total, rows } = await api['roster.page']({
        sessionId: this.sessionId,
        search: this.search,
        offset: p * PAGE_SIZE,
        limit: PAGE_SIZE
      })
      // A page read before a row's latest known change keeps that change.
      this.#pages.set(
        p,
        rows.map((r) => {
          const known = this.#newest.get(r.participationId)
          return known && known.readAt > r.readAt ? known : r
        })
      )
      this.total = total
      this.error = null
    } catch (err) {
      this.error = err
      throw err
    }
  }
}
