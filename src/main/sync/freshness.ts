/**
 * When the desk downloads again. Reading a day or a roster asks for a fresh copy in the
 * background when the last one is older than its freshness (the desk never waits), and the day on
 * screen is downloaded again on a timer even when nobody reads it, because every download is
 * complete and so also takes away what was deleted in the booking system (see the README).
 */
import { DateTime } from 'luxon'
import type { Provider } from '../providers/types'
import type { PullRequest, SyncEngine } from './engine'
import type { HistoryRange } from './history-pull'

/** How long a pulled day or roster counts as fresh before reading it asks for another pull. */
const DAY_FRESH_MS = 60_000
const ROSTER_FRESH_MS = 30_000
/** The day on screen is downloaded again at least this often (hidden, minimised, throttled windows too). */
export const RECONCILE_MS = 5 * 60_000
/** With a request budget (Plandocket): the day's events and a whole roster every 20 minutes. */
const BUDGETED_FRESH_MS = 20 * 60_000

export interface FreshnessOptions {
  engine: Pick<SyncEngine, 'requestPull'>
  provider: () => Provider | null
  now: () => number
  /** 0 = no timer (tests). */
  reconcileMs?: number
  /**
   * Whether a window is listening for changes. The window no longer reads again on a timer (main
   * pushes what changed), so while one listens main keeps what it shows fresh itself.
   */
  shown?: () => boolean
  /** The roster on screen, told again on every check while a window listens (see core/watch.ts). */
  onRosterShown?: (sessionId: number) => void
  /**
   * The past days of attendance history still missing before the day that starts at `start`
   * (asked when the pull runs, so a repeated request brings only what is new).
   */
  historyBefore?: (start: DateTime) => HistoryRange | undefined
}

/** How often main checks, while a window listens, whether what it shows is due for a download. */
const SHOWN_CHECK_MS = 10_000

export function createFreshness({ engine, provider, now, reconcileMs = RECONCILE_MS, shown = () => false, onRosterShown = () => {}, historyBefore }: FreshnessOptions) {
  const pulledAt = new Map<string, number>()
  let lastDay: PullRequest | null = null
  let dayKey: string | null = null
  let lastRoster: number | null = null

  const pullIfStale = (key: string, freshMs: number, request: PullRequest) => {
    const p = provider()
    if (!p) return
    // A provider with an hourly request limit: the day's events and whole rosters less often, and
    // the open roster's check-ins by a cheap poll of their own (see core/watch.ts).
    if (p.requestBudget) {
      freshMs = Math.max(freshMs, BUDGETED_FRESH_MS)
      if (request.kind === 'day') request = { ...request, rosters: false }
    }
    const at = pulledAt.get(key)
    if (at !== undefined && now() - at < freshMs) return
    pulledAt.set(key, now())
    void engine.requestPull(request)
  }

  let lastBudgetedReconcile = now()
  const timer =
    reconcileMs > 0
      ? setInterval(() => {
          const p = provider()
          if (!lastDay || !p) return
          // Within a request budget (Plandocket) the day's events only, every 20 minutes: the open
          // roster is downloaded whole on that pace too, and polled for check-ins in between.
          if (p.requestBudget) {
            if (now() - lastBudgetedReconcile < BUDGETED_FRESH_MS) return
            lastBudgetedReconcile = now()
            void engine.requestPull({ ...lastDay, rosters: false })
          } else void engine.requestPull(lastDay)
        }, reconcileMs)
      : null
  timer?.unref?.()
  const shownTimer =
    reconcileMs > 0
      ? setInterval(() => {
          if (!shown()) return
          if (lastDay && dayKey) pullIfStale(dayKey, DAY_FRESH_MS, lastDay)
          if (lastRoster !== null) {
            onRosterShown(lastRoster)
            pullIfStale(`session:${lastRoster}`, ROSTER_FRESH_MS, { kind: 'session', sessionId: lastRoster })
          }
        }, SHOWN_CHECK_MS)
      : null
  shownTimer?.unref?.()

  return {
    /** The window shows this day. */
    readDay(date: string, timeZone: string) {
      const start = DateTime.fromISO(date, { zone: timeZone }).startOf('day')
      // The desk's past (attendance history) comes along with today, never with another day.
      const today = date === DateTime.fromMillis(now(), { zone: timeZone }).toISODate()
      const history = today && historyBefore ? () => historyBefore(start) : undefined
      lastDay = { kind: 'day', from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), timeZone, ...(history ? { history } : {}) }
      dayKey = `day:${date}:${timeZone}`
      pullIfStale(dayKey, DAY_FRESH_MS, lastDay)
    },
    /** The window shows this roster (from its top). */
    readRoster(sessionId: number) {
      lastRoster = sessionId
      pullIfStale(`session:${sessionId}`, ROSTER_FRESH_MS, { kind: 'session', sessionId })
    },
    /** Forget what is fresh and download the day on screen again ("Sync now", new settings). */
    refresh() {
      pulledAt.clear()
      if (lastDay) void engine.requestPull(lastDay)
    },
    stop() {
      if (timer) clearInterval(timer)
      if (shownTimer) clearInterval(shownTimer)
    }
  }
}

export type Freshness = ReturnType<typeof createFreshness>
