/**
 * Main tells the window what changed, instead of the window asking every few seconds. Changes are
 * noted as they happen (a mark, an answer from the booking system, a download) and sent together
 * a moment later, so a download of 10,000 rows is a handful of events, not 10,000.
 */
import type { DeskEvent, RosterRow, SyncStatus } from '../../shared/contract'

/** How long changes gather before they go out (and the fastest the download bar moves). */
const GATHER_MS = 40
/**
 * Sessions changed by a download are told at most this often: a 100,000-row download changes its
 * session with every page, and each event makes the window read its rows and counts again.
 */
const SESSIONS_EVERY_MS = 1_000
/** More changed rows than this in one go: the window is told the session changed instead. */
const MAX_ROWS = 200

export interface DeskEventsOptions {
  status: () => SyncStatus
  /** The row as the window shows it now, or null when it is gone. */
  row: (sessionId: number, participationId: number) => RosterRow | null
  log?: (message: string, err?: unknown) => void
}

export type DeskEventListener = (event: DeskEvent) => void

export function createDeskEvents({ status, row, log = () => {} }: DeskEventsOptions) {
  const listeners = new Set<DeskEventListener>()
  let lastStatus = ''
  let statusDirty = false
  const rows = new Map<string, { sessionId: number; participationId: number }>()
  let sessions: Set<number> | null | undefined
  let timer: ReturnType<typeof setTimeout> | null = null
  let closed = false
  let sessionsSentAt = 0

  const send = (event: DeskEvent) => {
    for (const listener of listeners) {
      try {
        listener(event)
      } catch (err) {
        log('an event listener failed', err)
      }
    }
  }

  function flush() {
    timer = null
    if (listeners.size === 0) {
      rows.clear()
      sessions = undefined
      statusDirty = false
      return
    }
    if (statusDirty) {
      statusDirty = false
      const now = status()
      const text = JSON.stringify(now)
      if (text !== lastStatus) {
        lastStatus = text
        send({ kind: 'sync', status: now })
      }
    }
    if (rows.size > MAX_ROWS) {
      for (const r of rows.values()) {
        if (sessions === undefined) sessions = new Set()
        sessions?.add(r.sessionId)
      }
      rows.clear()
    }
    if (sessions !== undefined) {
      const wait = sessionsSentAt + SESSIONS_EVERY_MS - Date.now()
      if (wait > 0) {
        if (!closed) {
          timer = setTimeout(flush, wait)
          timer.unref?.()
        }
      } else {
        send({ kind: 'sessions', sessionIds: sessions && [...sessions] })
        sessions = undefined
        sessionsSentAt = Date.now()
      }
    }
    if (rows.size > 0) {
      const changed: RosterRow[] = []
      for (const r of rows.values()) {
        try {
          const fresh = row(r.sessionId, r.participationId)
          if (fresh) changed.push(fresh)
        } catch (err) {
          log('a changed row could not be read', err)
        }
      }
      rows.clear()
      if (changed.length) send({ kind: 'rows', rows: changed })
    }
  }

  function soon() {
    if (closed || timer) return
    timer = setTimeout(flush, GATHER_MS)
    timer.unref?.()
  }

  return {
    /** The sync status may have changed (sent only if it did). */
    status() {
      statusDirty = true
      soon()
    },
    /** A person's row changed in a session; the status may have too (what waits to be sent). */
    row(sessionId: number | null, participationId: number | null) {
      statusDirty = true
      if (sessionId !== null && participationId !== null) rows.set(`${sessionId}:${participationId}`, { sessionId, participationId })
      soon()
    },
    /** A download changed these sessions; null: anything on the day may have changed. */
    sessions(ids: number[] | null) {
      statusDirty = true
      if (ids === null) sessions = null
      else if (sessions !== null) {
        sessions ??= new Set()
        for (const id of ids) sessions.add(id)
      }
      soon()
    },
    /** Whether any window listens. */
    listening: () => listeners.size > 0,
    /** Listen; the current status comes first. Answers a function that stops listening. */
    subscribe(listener: DeskEventListener): () => void {
      listeners.add(listener)
      try {
        listener({ kind: 'sync', status: status() })
      } catch (err) {
        log('an event listener failed', err)
      }
      return () => listeners.delete(listener)
    },
    close() {
      closed = true
      if (timer) clearTimeout(timer)
      listeners.clear()
    }
  }
}

export type DeskEvents = ReturnType<typeof createDeskEvents>
