/**
 * The history figures of the rows on screen, fetched in batches: the rows a scroll brings into
 * view ask in the same tick and go out as one call (main answers each person from an index), so
 * scrolling costs one request per screenful, never one per row. Kept per open session.
 */
import { SvelteMap } from 'svelte/reactivity'
import type { PersonHistory } from '../../../shared/contract'
import { api } from '../lib/api'

const BATCH = 200

class HistoryFigures {
  #sessionId = 0
  /** By "session:participation" (figures are relative to the session on screen). undefined: not known yet; null: nobody to know this person by, or hidden. */
  readonly figures = new SvelteMap<string, PersonHistory | null>()
  // Bookkeeping only, never rendered: plain collections on purpose.
  #queued = new Map<string, { sessionId: number; participationId: number }>()
  #flushing = false

  /** The figures for one row, asking for them (with the other rows of this tick) when unknown. */
  of(sessionId: number, participationId: number): PersonHistory | null | undefined {
    const key = `${sessionId}:${participationId}`
    const known = this.figures.get(key)
    if (known === undefined && !this.#queued.has(key)) {
      this.#queued.set(key, { sessionId, participationId })
      this.#schedule()
    }
    return known
  }

  /** Another session opened: the last one's figures are let go. */
  open(sessionId: number): void {
    if (sessionId === this.#sessionId) return
    this.#sessionId = sessionId
    for (const key of [...this.figures.keys()]) if (!key.startsWith(`${sessionId}:`)) this.figures.delete(key)
  }

  /** The replica changed (a pull brought history): ask again for every row known, in place. */
  refresh(): void {
    for (const key of this.figures.keys()) {
      const [sessionId, participationId] = key.split(':').map(Number) as [number, number]
      this.#queued.set(key, { sessionId, participationId })
    }
    this.#schedule()
  }

  #schedule(): void {
    if (this.#flushing) return
    this.#flushing = true
    queueMicrotask(() => void this.#flush())
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queued.size > 0) {
        const first = this.#queued.values().next().value!
        const batch = [...this.#queued].filter(([, v]) => v.sessionId === first.sessionId).slice(0, BATCH)
        for (const [key] of batch) this.#queued.delete(key)
        try {
          const { people } = await api['history.people']({ sessionId: first.sessionId, participationIds: batch.map(([, v]) => v.participationId) })
          batch.forEach(([key], i) => this.figures.set(key, people[i] ?? null))
        } catch {
          // History is a courtesy: a row without it still checks in. Asked again on the next refresh.
          for (const [key] of batch) if (!this.figures.has(key)) this.figures.set(key, null)
        }
      }
    } finally {
      this.#flushing = false
    }
  }
}

export const historyFigures = new HistoryFigures()

/** The short badges a row shows: first visit or the visit's number, and repeated no-shows. */
export function badgesOf(h: PersonHistory): { firstVisit: boolean; visitNumber: number; noShows: number; ofLast: number } {
  return {
    firstVisit: h.firstVisit,
    visitNumber: h.overall.visits + 1,
    // Once is chance; twice in the last five is worth a word at the desk.
    noShows: h.series.noShowsOfLast >= 2 ? h.series.noShowsOfLast : 0,
    ofLast: h.series.lastBooked
  }
}
