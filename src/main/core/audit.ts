/**
 * What happened at the desk, for the people running it: the audit trail (every mark, undo and
 * import, with the desk's time and when the booking system accepted it) and arrival statistics.
 */
import { DateTime } from 'luxon'
import { LOCAL_PROVIDER, type SyncReason } from '../../shared/contract'
import { storedReason } from '../sync'
import type { CoreContext } from './context'
import type { SessionService } from './sessions'
import { dayIn, spansDays } from './days'

export interface AuditEntry {
  id: number
  at: string
  deskId: string
  action: string
  sessionTitle: string | null
  personName: string | null
  details: unknown
  /** Sync of the operation this entry caused: null when it needs none (local-only, imports). */
  sync: { state: string; uploadedAt: string | null; errorReason: SyncReason | null } | null
}

export function createAuditLog(ctx: CoreContext, sessions: SessionService) {
  const sqlite = ctx.db.$client
  const page = sqlite.prepare(
    `SELECT l.id, l.at, l.desk_id AS deskId, (SELECT m.value FROM desk_meta m WHERE m.key = 'station:' || l.desk_id) AS stationName, l.action, l.details, s.title AS sessionTitle, p.name AS personName,
            o.state AS syncState, o.updated_at AS syncAt, o.last_error AS syncError, o.last_error_reason AS syncErrorReason, o.provider AS syncProvider
     FROM audit_log l
     LEFT JOIN sessions s ON s.id = l.session_id
     LEFT JOIN participations p ON p.id = l.participation_id
     LEFT JOIN outbox o ON o.op_id = l.op_id
     WHERE (@sessionId IS NULL OR l.session_id = @sessionId) AND (@beforeId IS NULL OR l.id < @beforeId)
     ORDER BY l.id DESC LIMIT @limit`
  )
  // A multi-day session's chart is today's arrivals (@day); earlier days are in attendance_days.
  const arrivals = sqlite.prepare<{ sessionId: number; day: string | null }, { markedAt: number; attendees: number }>(
    `SELECT a.marked_at AS markedAt, a.attendees FROM attendance a JOIN participations p ON p.id = a.participation_id
     WHERE a.session_id = @sessionId AND a.status = 'ATTENDED' AND a.marked_at IS NOT NULL AND p.removed_at IS NULL
       AND (@day IS NULL OR a.day = @day) ORDER BY a.marked_at`
  )

  return {
    list(input: { sessionId: number | null; beforeId: number | null; limit: number }): AuditEntry[] {
      const rows = page.all(input) as {
        id: number
        at: number
        deskId: string
        stationName: string | null
        action: string
        details: string | null
        sessionTitle: string | null
        personName: string | null
        syncState: string | null
        syncAt: number | null
        syncError: string | null
        syncErrorReason: string | null
        syncProvider: string | null
      }[]
      return rows.map((r) => ({
        id: r.id,
        at: new Date(r.at).toISOString(),
        deskId: r.deskId,
        // A LAN member's entries name it as its hub knows it; this desk's own, by its own name.
        deskName: r.deskId === ctx.deskId ? ctx.deskName : r.stationName,
        action: r.action,
        sessionTitle: r.sessionTitle,
        personName: r.personName,
        details: r.details ? JSON.parse(r.details) : null,
        sync:
          r.syncState === null || r.syncProvider === LOCAL_PROVIDER
            ? null
            : {
                state: r.syncState,
                uploadedAt: r.syncState === 'done' && r.syncAt !== null ? new Date(r.syncAt).toISOString() : null,
                errorReason: r.syncError === null ? null : storedReason({ lastError: r.syncError, lastErrorReason: r.syncErrorReason })
              }
      }))
    },

    /** People arrived per time slot of the session, in the session's zone. */
    arrivals(sessionId: number, slotMinutes: number): { slotStart: string; people: number }[] {
      const session = sessions.require(sessionId)
      const slots = new Map<number, number>()
      const slotMs = slotMinutes * 60_000
      const day = spansDays(session) ? dayIn(ctx.now(), session.timeZone) : null
      for (const a of arrivals.all({ sessionId: session.id, day })) {
        const slot = Math.floor(a.markedAt / slotMs) * slotMs
        slots.set(slot, (slots.get(slot) ?? 0) + a.attendees)
      }
      return [...slots.entries()].map(([slot, people]) => ({
        slotStart: DateTime.fromMillis(slot, { zone: session.timeZone }).toISO() ?? new Date(slot).toISOString(),
        people
      }))
    }
  }
}
