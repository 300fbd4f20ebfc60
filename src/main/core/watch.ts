/**
 * The roster a desk has open, watched for other stations' check-ins. Providers with an hourly
 * request limit (Plandocket) are polled for the open session's check-ins only — one cheap request
 * instead of a whole roster — often enough that another station's check-in shows within 30 s while
 * the idle desk stays inside its budget (see providers/budget.ts). A roster nobody has read for a
 * minute is no longer open.
 */
const OPEN_FOR_MS = 60_000
/** When the provider needs no poll (no budget: rosters refresh when read), look again this often. */
const IDLE_CHECK_MS = 30_000

export interface RosterWatchOptions {
  now: () => number
  /** Asks for a poll of the session's marks; answers the wait until the next one, or null for none. */
  poll: (sessionId: number) => number | null
}

export function createRosterWatch(options: RosterWatchOptions) {
  let open: { sessionId: number; readAt: number } | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let stopped = false

  function arm(ms: number) {
    if (timer) clearTimeout(timer)
    timer = stopped ? null : setTimeout(tick, ms)
    timer?.unref?.()
  }

  function tick() {
    timer = null
    if (!open || options.now() - open.readAt > OPEN_FOR_MS) {
      open = null
      return
    }
    arm(options.poll(open.sessionId) ?? IDLE_CHECK_MS)
  }

  return {
    /** The desk read this roster (the window refreshes an open roster every 20 s). */
    viewing(sessionId: number) {
      const fresh = open?.sessionId !== sessionId
      open = { sessionId, readAt: options.now() }
      // A roster just opened was pulled whole a moment ago: its first poll can wait a while.
      if (fresh || !timer) arm(fresh ? 20_000 : 0)
    },
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = null
    }
  }
}
