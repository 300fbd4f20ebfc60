/**
 * Reading a session's roster: one page at a time (the renderer virtualises the list), optionally
 * narrowed by a search. A course participation (scheduleId) belongs to every session of its course.
 */
import { LOCAL_PROVIDER, type ProviderName, type RosterRow } from '../../shared/contract'
import type { CoreContext } from './context'
import type { SessionService } from './sessions'
import type Database from 'better-sqlite3'
import { foldText, rosterFilter, toFtsQuery } from './text'
import { sessionRules, traitsOf } from '../providers/registry'
import { dayIn, spansDays } from './days'

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
  method: string | null
  checkedOutAt: number | null
  day: string | null
  syncState: string | null
  /** The name of the desk that made the mark, when a LAN hub told it (desk_meta `station:<desk id>`). */
  deskName?: string | null
}

/** What a row needs to know about where it is read: today's day for multi-day sessions, this desk's names. */
export interface RowView {
  /** Set for a session that spans days: marks of earlier days are shown with their day. */
  today: string | null
  timeZone: string
  /** This desk's id and name: marks made elsewhere show the other station. */
  own: string[]
  /** Whether the provider's station names are worth showing (Plandocket stations). */
  stations: boolean
}

// A row's sync state looks up its own operations (INDEXED BY): left to itself SQLite walked every
// operation of the session for each row, and a busy day's 20,000 sent check-ins made a page of
// 200 rows take 660 ms instead of 0.4 ms.
const COLUMNS = `
  p.id AS participationId, p.name, p.email, p.phone, p.external_id AS externalId,
  p.party_size AS partySize, p.status, p.is_walk_in AS isWalkIn,
  a.status AS aStatus, a.attendees, a.marked_at AS markedAt, a.desk_id AS deskId, a.undo_status AS undoStatus,
  a.method, a.checked_out_at AS checkedOutAt, a.day,
  (SELECT m.value FROM desk_meta m WHERE m.key = 'station:' || a.desk_id) AS deskName,
  (SELECT o.state FROM outbox o INDEXED BY outbox_participation
   WHERE o.participation_id = p.id AND o.session_id = @sessionId AND o.provider <> '${LOCAL_PROVIDER}'
   ORDER BY o.seq DESC LIMIT 1) AS syncState`

/** The row's last change for the booking system, as the row shows it (local-only rows: none). */
const SYNC_STATE: Record<string, RosterRow['sync']> = {
  pending: 'waiting',
  in_flight: 'waiting',
  done: 'sent',
  rejected: 'attention',
  conflict: 'attention'
}

/** What a row may do in its session beyond the usual (see providers/rules). */
export interface RowRules {
  walkInsStayHere: boolean
  confirmElsewhere: RosterRow['confirmElsewhere']
}
export const USUAL_ROW: RowRules = { walkInsStayHere: false, confirmElsewhere: null }

export function rowRules(session: { provider: ProviderName; raw: string | null }): RowRules {
  const rules = sessionRules(session)
  return { walkInsStayHere: rules.walkIns === 'desk_only', confirmElsewhere: rules.confirm === 'desk' ? null : rules.confirm }
}

let lastRead = 0
/**
 * An increasing stamp for a row read (microseconds of the clock, bumped past the last one): main
 * reads SQLite in order, so a later stamp is never an older state, across restarts too.
 */
export function readStamp(): number {
  lastRead = Math.max(lastRead + 1, Math.floor((performance.timeOrigin + performance.now()) * 1000))
  return lastRead
}

export function toRosterRow(sessionId: number, r: RawRow, rules: RowRules = USUAL_ROW, view?: RowView): RosterRow {
  const day = r.day ?? (r.markedAt === null || !view ? null : dayIn(r.markedAt, view.timeZone))
  const earlierDay = !!view?.today && (r.aStatus ?? 'NOT_SET') !== 'NOT_SET' && day !== null && day < view.today
  // Another desk's mark names that desk: by its name where a LAN hub told it (never an id), else
  // the station a provider records (Plandocket's station is a name).
  const other = !!r.deskId && !!view && !view.own.includes(r.deskId)
  const station = other ? (r.deskName ?? (view!.stations && r.method === 'provider' ? r.deskId : null)) : null
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
    localOnly: rules.walkInsStayHere && r.isWalkIn === 1 ? 'bookings_walk_in' : null,
    confirmElsewhere: r.status === 'PENDING_CONFIRMATION' ? rules.confirmElsewhere : null,
    sync: (r.syncState && SYNC_STATE[r.syncState]) || null,
    readAt: readStamp(),
    attendance: {
      status: r.aStatus ?? 'NOT_SET',
      attendees: r.attendees ?? 0,
      markedAt: r.markedAt === null ? null : new Date(r.markedAt).toISOString(),
      deskId: r.deskId,
      canUndo: r.undoStatus !== null,
      checkedOutAt: r.checkedOutAt === null || r.checkedOutAt === undefined ? null : new Date(r.checkedOutAt).toISOString(),
      earlierDay,
      station
    }
  }
}

export function createRosterService(ctx: CoreContext, sessions: SessionService) {
  const { $client: sqlite } = ctx.db
  const join = 'LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = @sessionId'

  /*
   * Plans, each prepared once (measured by `npm run bench`, 100,000 people today on top of a
   * season of 1,000,000):
   * - plain pages: the page's ids come from the (session_id, sort_name) index (for a course, a
   *   merge with the (schedule_id, sort_name) one), so a deep OFFSET skips index entries, not rows,
   *   and only the rows shown are read whole;
   * - every search asks the full-text index for the hits on this roster only: each row's roster
   *   key is indexed beside its text, so FTS5 intersects the typed words with the roster's key
   *   inside the index. A desk's history (every earlier session's people, ten times today's
   *   roster in a season) is never looked up, sorted or held in a set: a search costs what today's
   *   roster holds, not what the desk has kept;
   * - a selective search (few hits on the roster): the hits' ids come back from one full-text
   *   pass (which is also the count that picks this plan), are sorted by name through the small
   *   (id, session, schedule, sort name) index, and give both the total and the page's ids;
   * - a broad search (thousands of hits on the roster, e.g. two letters): the hits are counted
   *   inside the full-text index without reading a row, and the page walks the roster index in
   *   name order keeping the rows that are hits, so the first page comes without sorting them all.
   * The full-text query runs once as a set: with MATCH inside a join SQLite would re-run it per row.
   */
  const rosterHits = 'SELECT rowid FROM participation_search WHERE participation_search MATCH @onRoster'
  // INDEXED BY: the walk in name order is the point of these plans; left to itself SQLite may
  // prefer looking up every hit by id (measured: ten times slower for a two-letter search).
  // People removed upstream (removed_at) are off the roster; the roster indexes carry the column.
  const ownIds = (extra: string) =>
    `SELECT id, sort_name FROM participations INDEXED BY participations_session_sort WHERE session_id = @sessionId AND removed_at IS NULL${extra}`
  const courseIds = (extra: string) =>
    `${ownIds(extra)} UNION ALL SELECT id, sort_name FROM participations INDEXED BY participations_schedule_sort WHERE schedule_id = @scheduleId AND removed_at IS NULL${extra}`
  const pageOf = (ids: string) =>
    sqlite.prepare(
      `SELECT ${COLUMNS} FROM (SELECT id, sort_name FROM (${ids}) ORDER BY sort_name, id LIMIT @limit OFFSET @offset) k
       JOIN participations p ON p.id = k.id ${join} ORDER BY p.sort_name, p.id`
    )
  const rowsByIds = sqlite.prepare(
    `SELECT ${COLUMNS} FROM json_each(@ids) k JOIN participations p ON p.id = k.value ${join} ORDER BY k.key`
  )
  const countOnRoster = sqlite.prepare('SELECT count(*) FROM participation_search WHERE participation_search MATCH @onRoster').pluck()
  // The search index still holds people removed upstream under their roster: a broad count takes
  // away their hits, found through the small index of removed people (usually none at all).
  const removedOnRoster = sqlite
    .prepare(
      `SELECT count(*) FROM participations INDEXED BY participations_removed
       WHERE (session_id = @sessionId OR (@scheduleId IS NOT NULL AND schedule_id = @scheduleId)) AND removed_at IS NOT NULL`
    )
    .pluck()
  const removedHits = sqlite
    .prepare(
      `SELECT count(*) FROM participations INDEXED BY participations_removed
       WHERE (session_id = @sessionId OR (@scheduleId IS NOT NULL AND schedule_id = @scheduleId)) AND removed_at IS NOT NULL AND id IN (${rosterHits})`
    )
    .pluck()
  /** At most this many hits on the roster take the selective plan; the probe stops one past it. */
  const SELECTIVE = 3_000
  const probe = sqlite.prepare(`${rosterHits} LIMIT ${SELECTIVE + 1}`).pluck()
  // One typed character jumps to the names that start with it, as in a phone book: what a desk
  // expects, and an index range instead of tens of thousands of full-text hits.
  const range = ' AND sort_name >= @from AND sort_name < @to'
  const prepare = (course: boolean) => {
    const ids = course ? courseIds : ownIds
    const where = course ? '(k.session_id = @sessionId OR k.schedule_id = @scheduleId)' : 'k.session_id = @sessionId'
    return {
      plain: { page: pageOf(ids('')), total: sqlite.prepare(`SELECT count(*) FROM (${ids('')})`).pluck() },
      // The probe's hits (json_each keeps them a set the planner does not re-run), in name order.
      selective: sqlite
        .prepare(
          `SELECT k.id FROM json_each(@hits) h CROSS JOIN participations AS k INDEXED BY participations_roster_by_id ON k.id = h.value
           WHERE ${where} AND k.removed_at IS NULL ORDER BY k.sort_name, k.id`
        )
        .pluck(),
      broad: pageOf(ids(` AND id IN (${rosterHits})`)),
      letter: { page: pageOf(ids(range)), total: sqlite.prepare(`SELECT count(*) FROM (${ids(range)})`).pluck() }
    }
  }
  const statements = { own: prepare(false), course: prepare(true) }
  const oneRow = sqlite.prepare(`SELECT ${COLUMNS} FROM participations p ${join} WHERE p.id = @participationId`)
  const membership = sqlite.prepare(
    `SELECT p.id, p.name, p.party_size AS partySize, p.status, p.session_id AS sessionId, p.schedule_id AS scheduleId, p.is_walk_in AS isWalkIn
     FROM participations p WHERE p.id = ? AND p.removed_at IS NULL`
  )

  function viewOf(session: { startsAt: number; endsAt: number; timeZone: string; provider: ProviderName }): RowView {
    return {
      today: spansDays(session) ? dayIn(ctx.now(), session.timeZone) : null,
      timeZone: session.timeZone,
      own: [ctx.deskId, ctx.deskName],
      stations: traitsOf(session.provider).namesStations
    }
  }

  type Plan = 'plain' | 'letter' | 'selective' | 'broad'
  type Chosen = { plan: Plan; query: string | null; folded: string; onRoster: string | null; hits: number[] | null }
  /**
   * Which plan a search takes on a session's roster (see above), its full-text queries, and for a
   * selective one the hits themselves (the probe that counted them found them).
   */
  function planFor(session: { id: number; scheduleId: string | null }, search: string): Chosen {
    const query = toFtsQuery(search)
    const folded = foldText(search)
    if (!query) return { plan: 'plain', query, folded, onRoster: null, hits: null }
    const onRoster = `${query} AND ${rosterFilter(session.id, session.scheduleId)}`
    if ([...folded].length === 1 && /^[\p{L}\p{N}]$/u.test(folded)) return { plan: 'letter', query, folded, onRoster, hits: null }
    const hits = probe.all({ onRoster }) as number[]
    return hits.length <= SELECTIVE ? { plan: 'selective', query, folded, onRoster, hits } : { plan: 'broad', query, folded, onRoster, hits: null }
  }

  return {
    page(input: { sessionId: number; search: string; offset: number; limit: number }): { total: number; rows: RosterRow[] } {
      const session = sessions.require(input.sessionId)
      const shape = statements[session.scheduleId !== null ? 'course' : 'own']
      const { plan, folded, onRoster, hits } = planFor(session, input.search)
      const view = viewOf(session)
      const params = { sessionId: session.id, scheduleId: session.scheduleId, limit: input.limit, offset: input.offset, onRoster }
      const rules = rowRules(session)
      const read = (stmt: Database.Statement, extra: Record<string, unknown> = {}) =>
        (stmt.all({ ...params, ...extra }) as RawRow[]).map((r) => toRosterRow(session.id, r, rules, view))

      switch (plan) {
        case 'plain':
          return { total: shape.plain.total.get(params) as number, rows: read(shape.plain.page) }
        case 'letter': {
          const range = { from: folded, to: String.fromCodePoint(folded.codePointAt(0)! + 1) }
          return { total: shape.letter.total.get({ ...params, ...range }) as number, rows: read(shape.letter.page, range) }
        }
        case 'selective': {
          // All the hits' ids in name order in one pass (at most a few thousand numbers), then
          // the page's rows: cheaper than matching and filtering once to count and again to page.
          const ids = hits!.length ? (shape.selective.all({ ...params, hits: JSON.stringify(hits) }) as number[]) : []
          const page = ids.slice(input.offset, input.offset + input.limit)
          return { total: ids.length, rows: page.length ? read(rowsByIds, { ids: JSON.stringify(page) }) : [] }
        }
        case 'broad': {
          const count = countOnRoster.get({ onRoster }) as number
          const roster = { sessionId: session.id, scheduleId: session.scheduleId }
          const removed = (removedOnRoster.get(roster) as number) > 0 ? (removedHits.get({ ...roster, onRoster }) as number) : 0
          const total = count - removed
          return { total, rows: total > input.offset ? read(shape.broad) : [] }
        }
      }
    },

    /** The plan a search takes on a session's roster: for the benchmark's account of where time goes. */
    planOf(sessionId: number, search: string): Plan {
      return planFor(sessions.require(sessionId), search).plan
    },

    row(sessionId: number, participationId: number): RosterRow {
      return toRosterRow(sessionId, oneRow.get({ sessionId, participationId }) as RawRow, rowRules(sessions.require(sessionId)), viewOf(sessions.require(sessionId)))
    },

    /** The row, or null when the session or the person is gone (told to windows as it changes). */
    rowIfPresent(sessionId: number, participationId: number): RosterRow | null {
      let session
      try {
        session = sessions.require(sessionId)
      } catch {
        return null
      }
      const raw = oneRow.get({ sessionId, participationId }) as RawRow | undefined
      return raw ? toRosterRow(sessionId, raw, rowRules(session), viewOf(session)) : null
    },

    /** The participation, if it is on the session's roster; else undefined. */
    member(sessionId: number, scheduleId: string | null, participationId: number) {
      const p = membership.get(participationId) as
        | { id: number; name: string; partySize: number; status: RosterRow['status']; sessionId: number | null; scheduleId: string | null; isWalkIn: number }
        | undefined
      if (!p) return undefined
      const onRoster = p.sessionId === sessionId || (scheduleId !== null && p.scheduleId === scheduleId)
      return onRoster ? p : undefined
    }
  }
}

export type RosterService = ReturnType<typeof createRosterService>
