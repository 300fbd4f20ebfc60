/**
 * Reading a session's roster: one page at a time (the renderer virtualises the list), optionally
 * narrowed by a search. A course participation (scheduleId) belongs to every session of its course.
 */
import type { RosterRow } from '../../shared/contract'
import type { CoreContext } from './context'
import type { SessionService } from './sessions'
import { foldText, toFtsQuery } from './text'

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

  /*
   * Plans, each prepared once (measured by `npm run bench` at 100,000 people):
   * - plain pages: the page's ids come from the (session_id, sort_name) index (for a course, a
   *   merge with the (schedule_id, sort_name) one), so a deep OFFSET skips index entries, not rows,
   *   and only the 200 rows shown are read whole;
   * - a selective search (few hits): start from the full-text hits and sort just those;
   * - a broad search (thousands of hits, e.g. one letter): walk the roster index in name order and
   *   keep the rows that are hits, so the first page comes without sorting every hit.
   * The full-text query runs once as a set: with MATCH inside a join SQLite would re-run it per row.
   */
  const hitList = 'SELECT rowid FROM participation_search WHERE participation_search MATCH @query'
  const ownIds = (extra: string) => `SELECT id, sort_name FROM participations WHERE session_id = @sessionId${extra}`
  const courseIds = (extra: string) =>
    `${ownIds(extra)} UNION ALL SELECT id, sort_name FROM participations WHERE schedule_id = @scheduleId${extra}`
  const pageOf = (ids: string) =>
    sqlite.prepare(
      `SELECT ${COLUMNS} FROM (SELECT id, sort_name FROM (${ids}) ORDER BY sort_name, id LIMIT @limit OFFSET @offset) k
       JOIN participations p ON p.id = k.id ${join} ORDER BY p.sort_name, p.id`
    )
  const prepare = (course: boolean) => {
    const ids = course ? courseIds : ownIds
    const where = course ? withCourse : own
    const fromHits = `(${hitList.replace('SELECT rowid', 'SELECT rowid AS id')}) h CROSS JOIN participations p ON p.id = h.id`
    return {
      plain: { page: pageOf(ids('')), total: sqlite.prepare(`SELECT count(*) FROM (${ids('')})`).pluck() },
      broad: {
        page: pageOf(ids(` AND id IN (${hitList})`)),
        total: sqlite.prepare(`SELECT count(*) FROM participations p WHERE ${where} AND p.id IN (${hitList})`).pluck()
      },
      selective: {
        page: pageOf(`SELECT p.id, p.sort_name FROM ${fromHits} WHERE ${where}`),
        total: sqlite.prepare(`SELECT count(*) FROM ${fromHits} WHERE ${where}`).pluck()
      }
    }
  }
  const statements = { own: prepare(false), course: prepare(true) }
  /** Above this many hits (desk-wide) the broad plan wins; counting stops there. */
  const SELECTIVE = 3_000
  const hitCount = sqlite.prepare(`SELECT count(*) FROM (${hitList} LIMIT ${SELECTIVE + 1})`).pluck()
  // One typed character jumps to the names that start with it, as in a phone book: what a desk
  // expects, and an index range instead of tens of thousands of full-text hits.
  const initial = (course: boolean) => {
    const range = ' AND sort_name >= @from AND sort_name < @to'
    const ids = course ? courseIds(range) : ownIds(range)
    return { page: pageOf(ids), total: sqlite.prepare(`SELECT count(*) FROM (${ids})`).pluck() }
  }
  const initials = { own: initial(false), course: initial(true) }
  const oneRow = sqlite.prepare(`SELECT ${COLUMNS} FROM participations p ${join} WHERE p.id = @participationId`)
  const membership = sqlite.prepare(
    `SELECT p.id, p.name, p.party_size AS partySize, p.status, p.session_id AS sessionId, p.schedule_id AS scheduleId
     FROM participations p WHERE p.id = ?`
  )

  return {
    page(input: { sessionId: number; search: string; offset: number; limit: number }): { total: number; rows: RosterRow[] } {
      const session = sessions.require(input.sessionId)
      const query = toFtsQuery(input.search)
      const course = session.scheduleId !== null
      const shape = course ? statements.course : statements.own
      const folded = foldText(input.search)
      const letter = [...folded].length === 1 && /^[\p{L}\p{N}]$/u.test(folded)
      const stmt = !query
        ? shape.plain
        : letter
          ? initials[course ? 'course' : 'own']
          : (hitCount.get({ query }) as number) > SELECTIVE
            ? shape.broad
            : shape.selective
      const to = letter ? String.fromCodePoint(folded.codePointAt(0)! + 1) : ''
      const params = { sessionId: session.id, scheduleId: session.scheduleId, query, limit: input.limit, offset: input.offset, from: folded, to }
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
