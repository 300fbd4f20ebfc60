/**
 * Which past days' history this desk has pulled from which account, so a later pull asks only for
 * what is new (kept in desk_meta; a different site or tenant starts again from nothing).
 */
import { DateTime } from 'luxon'
import type { CoreContext } from '../core/context'
import type { StoredSettings } from '../settings'
import { historyOf } from '../providers/registry'
import { historyToPull, type HistoryRange } from '../sync/history-pull'

export function createHistoryPulled(ctx: CoreContext) {
  const sqlite = ctx.db.$client
  const read = sqlite.prepare<[string], { value: string }>(`SELECT value FROM desk_meta WHERE key = ?`)
  const write = sqlite.prepare(`INSERT INTO desk_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
  const keyOf = (s: StoredSettings) => `history_pulled:${s.provider}:${historyOf(s)?.account ?? ''}`

  return {
    /** The history a day pull should bring along (undefined: none, or nothing new). */
    rangeFor(s: StoredSettings, dayStart: DateTime): HistoryRange | undefined {
      const days = historyOf(s)?.days ?? 0
      if (days <= 0) return undefined
      const wanted = { from: dayStart.minus({ days }).toMillis(), to: dayStart.toMillis() }
      const stored = read.get(keyOf(s))
      let covered: HistoryRange | null = null
      try {
        covered = stored ? (JSON.parse(stored.value) as HistoryRange) : null
      } catch {
        covered = null
      }
      return historyToPull(wanted, covered) ?? undefined
    },
    /** A range was pulled whole: joined with what was covered before when they touch. */
    pulled(s: StoredSettings, range: HistoryRange) {
      const key = keyOf(s)
      const stored = read.get(key)
      let covered: HistoryRange | null = null
      try {
        covered = stored ? (JSON.parse(stored.value) as HistoryRange) : null
      } catch {
        covered = null
      }
      const next = covered && covered.to >= range.from && covered.from <= range.to ? { from: Math.min(covered.from, range.from), to: Math.max(covered.to, range.to) } : range
      write.run(key, JSON.stringify(next))
    }
  }
}
