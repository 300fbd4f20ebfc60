/**
 * What changed at the hub, for its members' live stream: a sequence of (session, person) changes
 * kept in memory (the last FEED_KEEP), and the stream requests waiting for the next one. Memory
 * only: after a restart of the hub a member's cursor names another run and it downloads again.
 */
import { randomBytes } from 'node:crypto'

/** Changes kept for members that were away a moment; one away longer downloads again. */
export const FEED_KEEP = 20_000

export interface FeedEntry {
  seq: number
  sessionId: number
  /** null: the whole session changed (a download). */
  participationId: number | null
}

export function createChangeFeed() {
  const run = randomBytes(6).toString('hex')
  let seq = 0
  const entries: FeedEntry[] = []
  const waiters = new Set<() => void>()

  const wake = () => {
    for (const w of [...waiters]) w()
    waiters.clear()
  }

  return {
    cursor: () => `${run}.${seq}`,
    note(sessionId: number, participationId: number | null): void {
      entries.push({ seq: ++seq, sessionId, participationId })
      if (entries.length > FEED_KEEP * 1.25) entries.splice(0, entries.length - FEED_KEEP)
      wake()
    },
    /** Everything after `cursor`, or reset when the cursor is from another run or older than what is kept. */
    after(cursor: string | undefined): { reset: boolean; entries: FeedEntry[] } {
      const [r, n] = (cursor ?? '').split('.')
      const from = Number(n)
      if (r !== run || !Number.isInteger(from) || from > seq) return { reset: true, entries: [] }
      const oldest = entries[0]?.seq ?? seq + 1
      if (from < oldest - 1) return { reset: true, entries: [] }
      // Entries are in seq order: start at the first after `from`.
      let lo = 0
      let hi = entries.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (entries[mid]!.seq <= from) lo = mid + 1
        else hi = mid
      }
      return { reset: false, entries: entries.slice(lo) }
    },
    /** Resolves at the next change, after `ms`, or when the feed closes. */
    wait(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer)
          waiters.delete(done)
          resolve()
        }
        const timer = setTimeout(done, ms)
        waiters.add(done)
      })
    },
    /** Lets every waiting stream request answer now (sharing stops). */
    close: wake
  }
}

export type ChangeFeed = ReturnType<typeof createChangeFeed>
