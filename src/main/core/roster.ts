/**
 * Reading a session's roster: one page at a time (the renderer virtualises the list), optionally
 * narrowed by a search. A course participation (scheduleId) belongs to every session of its course.
 */
import type { RosterRow } from '../../shared/contract'
import type { CoreContext } from './context'
import type { SessionService } from './sessions'
import { toFtsQuery } from './text'

interface RawRow {
  participationId: number
  name: string
  email: string | null
  phone: string | null
  externalId: string | null
  partySize: number
  status: RosterRow['status']
  isWalkIn: number
  aStatus: RosterRow['attendance']['status'] | null
  attendees: number | null
  markedAt: number | null
  deskId: string | null
  undoStatus: string | null
}

const COLUMNS = `
  p.id AS participationId, p.name, p.email, p.phone, p.external_id AS externalId,
  p.party_size AS partySize, p.status, p.is_walk_in AS isWalkIn,
  a.status AS aStatus, a.attendees, a.marked_at AS markedAt, a.desk_id AS deskId, a.undo_status AS undoStatus`

export function toRosterRow(sessionId: number, r: RawRow): RosterRow {
  return {
    participationId: r.participationId,
    sessionId,
    name: r.name,
    email: r.email,
    phone: r.phone,
    externalId: r.externalId,
    partySize: r.partySize,
    status: r.status,
    isWalkIn: r.isWalkIn === 1,
    attendance: {
      status: r.aStatus ?? 'NOT_SET',
      attendees: r.attendees ?? 0,
      markedAt: r.markedAt === null ? null : new Date(r.markedAt).toISOString(),
      deskId: r.deskId,
      canUndo: r.undoStatus !== null
    }
  }
}

export function createRosterService(ctx: CoreContext, sessions: SessionService) {
  const { $client: sqlite } = ctx.db
  const join = 'LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = @sessionId'
  const own = 'p.session_id = @sessionId'
  const withCourse = '(p.session_id = @sessionId OR p.schedule_id = @scheduleId)'

  // Four shapes (own/course × plain/search), each prepared once.
  // The search runs once, as a set (FTS5 first, then the roster filter and the name order): with
  // MATCH in the join, SQLite would walk the roster in order and re-run the FTS query per row.
  const hits = 'p.id IN (SELECT rowid FROM participation_search WHERE participation_search MATCH @query)'
  const prepare = (where: string, search: boolean) => {
    const filter = search ? `${where} AND ${hits}` : where
    return {
      page: sqlite.prepare(
        `SELECT ${COLUMNS} FROM participations p ${join} WHERE ${filter} ORDER BY p.sort_name, p.id LIMIT @limit OFFSET @offset`
      ),
      total: sqlite.prepare(`SELECT count(*) FROM participations p WHERE ${filter}`).pluck()
    }
  }
  const statements = {
    own: { plain: prepare(own, false), search: prepare(own, true) },
    course: { plain: prepare(withCourse, false), search: prepare(withCourse, true) }
  }
  const oneRow = sqlite.prepare(`SELECT ${COLUMNS} FROM participations p ${join} WHERE p.id = @participationId`)
  const membership = sqlite.prepare(
    `SELECT p.id, p.name, p.party_size AS partySize, p.status, p.session_id AS sessionId, p.schedule_id AS scheduleId
     FROM participations p WHERE p.id = ?`
  )

  return {
    page(input: { sessionId: number; search: string; offset: number; limit: number }): { total: number; rows: RosterRow[] } {
      const session = sessions.require(input.sessionId)
      const query = toFtsQuery(input.search)
      const shape = session.scheduleId ? statements.course : statements.own
      const stmt = query ? shape.search : shape.plain
      const params = { sessionId: session.id, scheduleId: session.scheduleId, query, limit: input.limit, offset: input.offset }
      const total = stmt.total.get(params) as number
      const rows = (stmt.page.all(params) as RawRow[]).map((r) => toRosterRow(session.id, r))
      return { total, rows }
    },

    row(sessionId: number, participationId: number): RosterRow {
      return toRosterRow(sessionId, oneRow.get({ sessionId, participationId }) as RawRow)
    },

    /** The participation, if it is on the session's roster; else undefined. */
    member(sessionId: number, scheduleId: string | null, participationId: number) {
      const p = membership.get(participationId) as
        | { id: number; name: string; partySize: number; status: RosterRow['status']; sessionId: number | null; scheduleId: string | null }
        | undefined
      if (!p) return undefined
      const onRoster = p.sessionId === sessionId || (scheduleId !== null && p.scheduleId === scheduleId)
      return onRoster ? p : undefined
    }
  }
}

export type RosterService = ReturnType<typeof createRosterService>
