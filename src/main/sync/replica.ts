/**
 * Writes what a provider sent into the local replica: one transaction per page (batched writes),
 * rows whose revision did not change are not rewritten, and a row with marks still waiting in the
 * outbox is never overwritten by a pull (the desk's intent wins until it has been sent).
 *
 * Speed (a first pull brings 100,000 people; test/bench measures it):
 * - A page's new people go in with one multi-row INSERT. The search index's insert trigger runs per
 *   row either way, but FTS5 flushes its pending terms into a new segment at every statement
 *   savepoint: one INSERT per person made one tiny segment per person (and the merges behind them),
 *   which was half the cost of a pull. One statement per page makes one segment per page.
 * - A person just inserted has no marks and nothing in the outbox: their embedded marks are written
 *   without the three lookups an existing person needs.
 * - Pull transactions commit with synchronous=NORMAL (no fsync of their own). A pulled row can be
 *   fetched again, and in WAL mode the next FULL commit — every desk action is one — syncs the
 *   whole WAL, earlier pull frames included, so nothing the desk acknowledged depends on them.
 *   A power cut can only take back whole pull transactions (the rows and their marks together).
 */
import type Database from 'better-sqlite3'
import type { Db } from '../db'
import { buildSearchCodes, foldText } from '../core/text'
import type { AttendanceStatus } from '../../shared/contract'
import { dayIn } from '../core/days'
import type { AttendanceRecord, ParticipationRecord, ParticipationRef, SessionRecord, SessionRef } from '../providers/types'
import { createHash } from 'node:crypto'
import { formerKeys } from './former-keys'

export { emptyStats }
export interface ApplyStats {
  inserted: number
  updated: number
  unchanged: number
  skippedPending: number
}

const emptyStats = (): ApplyStats => ({ inserted: 0, updated: 0, unchanged: 0, skippedPending: 0 })

/** A revision for records whose provider has none: a hash of what we keep of them. */
export function contentRevision(value: unknown): string {
  return `h:${createHash('sha1').update(JSON.stringify(value)).digest('base64url')}`
}

/** Most people one multi-row INSERT carries (20 parameters each, far below SQLite's limit). */
const INSERT_CHUNK = 100
/** Rows a reconcile changes per transaction: a few ms of write lock each (see reconcileRoster). */
const RECONCILE_ROWS = 500
const PARTICIPATION_COLUMNS = `provider, provider_id, external_id, session_id, schedule_id, name, sort_name, email, phone,
       contact_id, customer_number, booking_id, badge_number, search_codes, party_size, status, revision, raw, created_at, updated_at`

/** The participations row a pulled record becomes (the bench inserts the same values raw). */
export function participationRow(provider: string, r: ParticipationRecord, sessionId: number | null, at: number) {
  return {
    provider,
    providerId: r.providerId,
    externalId: r.externalId,
    sessionId: r.scheduleId && !r.sessionProviderId ? null : sessionId,
    scheduleId: r.scheduleId && !r.sessionProviderId ? r.scheduleId : null,
    name: r.name,
    sortName: foldText(r.name),
    email: r.email,
    phone: r.phone,
    contactId: r.contactId,
    customerNumber: r.customerNumber,
    bookingId: r.bookingId,
    badgeNumber: r.badgeNumber,
    searchCodes: buildSearchCodes([r.providerId, r.externalId, r.bookingId, r.customerNumber, r.badgeNumber], r.phone),
    partySize: Math.min(1000, Math.max(1, Math.trunc(r.partySize) || 1)),
    status: r.status,
    revision: r.revision ?? contentRevision(r.raw),
    raw: JSON.stringify(r.raw ?? null),
    now: at
  }
}

export function createReplica(db: Db, now: () => number) {
  const sqlite = db.$client

  /**
   * Runs a pull transaction with synchronous=NORMAL and puts the connection's setting back after it
   * (SQLite refuses to change it inside a transaction, so inside one — a caller's — it stays).
   */
  function relaxed<A extends unknown[], R>(transaction: Database.Transaction<(...args: A) => R>): (...args: A) => R {
    // IMMEDIATE: the pull writes from its own connection (pull-worker.ts) while the desk writes
    // from the main one. A deferred transaction that read first could not take the write lock
    // after the other connection committed (SQLITE_BUSY_SNAPSHOT, which no busy timeout waits
    // out); an immediate one waits its turn and then reads the latest state, check-ins included.
    const tx = (...args: A) => transaction.immediate(...args)
    return (...args: A) => {
      if (sqlite.inTransaction) return transaction(...args)
      const before = sqlite.pragma('synchronous', { simple: true }) as number
      if (before <= 1) return tx(...args)
      sqlite.pragma('synchronous = NORMAL')
      try {
        return tx(...args)
      } finally {
        sqlite.pragma(`synchronous = ${before}`)
      }
    }
  }

  /** A write transaction that takes the write lock first (see relaxed). */
  const immediate =
    <A extends unknown[], R>(transaction: Database.Transaction<(...args: A) => R>) =>
    (...args: A): R =>
      transaction.immediate(...args)

  const insertMany = new Map<number, Database.Statement>()
  /** The multi-row INSERT for `n` people, returning their ids in insertion order. */
  function insertStatement(n: number): Database.Statement {
    let statement = insertMany.get(n)
    if (!statement) {
      const row = `(${new Array(20).fill('?').join(', ')})`
      statement = sqlite.prepare(`INSERT INTO participations (${PARTICIPATION_COLUMNS}) VALUES ${new Array(n).fill(row).join(', ')} RETURNING id`).pluck()
      insertMany.set(n, statement)
    }
    return statement
  }
  type Values = ReturnType<typeof participationValues>
  /** Inserts people in order with as few statements as possible; their new ids, in the same order. */
  function insertParticipations(list: Values[]): number[] {
    const ids: number[] = []
    for (let start = 0; start < list.length; start += INSERT_CHUNK) {
      const chunk = list.slice(start, start + INSERT_CHUNK)
      const params: unknown[] = []
      for (const v of chunk) {
        params.push(v.provider, v.providerId, v.externalId, v.sessionId, v.scheduleId, v.name, v.sortName, v.email, v.phone, v.contactId,
          v.customerNumber, v.bookingId, v.badgeNumber, v.searchCodes, v.partySize, v.status, v.revision, v.raw, v.now, v.now)
      }
      const returned = insertStatement(chunk.length).all(...params) as number[]
      // RETURNING gives the rows in the order they were inserted, which is the VALUES order.
      ids.push(...returned.sort((a, b) => a - b))
    }
    return ids
  }

  const findSession = sqlite.prepare<[string, string], { id: number; revision: string | null }>(
    `SELECT id, revision FROM sessions WHERE provider = ? AND provider_id = ?`
  )
  const insertSession = sqlite.prepare(
    `INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, all_day, capacity, schedule_id,
       schedule_name, kind, status, revision, raw, created_at, updated_at)
     VALUES (@provider, @providerId, @title, @startsAt, @endsAt, @timeZone, @allDay, @capacity, @scheduleId,
       @scheduleName, @kind, @status, @revision, @raw, @now, @now)`
  )
  const updateSession = sqlite.prepare(
    `UPDATE sessions SET title = @title, starts_at = @startsAt, ends_at = @endsAt, time_zone = @timeZone, all_day = @allDay,
       capacity = @capacity, schedule_id = @scheduleId, schedule_name = @scheduleName, kind = @kind, status = @status,
       revision = @revision, raw = @raw, updated_at = @now WHERE id = @id`
  )
  const findParticipation = sqlite.prepare<[string, string], { id: number; revision: string | null; removedAt: number | null }>(
    `SELECT id, revision, removed_at AS removedAt FROM participations WHERE provider = ? AND provider_id = ?`
  )
  const findByBooking = sqlite.prepare<[string, string], { id: number; revision: string | null }>(
    `SELECT id, revision FROM participations WHERE provider = ? AND booking_id = ? ORDER BY id LIMIT 1`
  )
  const updateParticipation = sqlite.prepare(
    `UPDATE participations SET external_id = @externalId, session_id = @sessionId, schedule_id = @scheduleId, name = @name,
       sort_name = @sortName, email = @email, phone = @phone, contact_id = @contactId, customer_number = @customerNumber,
       booking_id = @bookingId, badge_number = @badgeNumber, search_codes = @searchCodes, party_size = @partySize,
       status = @status, revision = @revision, raw = @raw, removed_at = NULL, updated_at = @now WHERE id = @id`
  )
  const pendingForParticipation = sqlite.prepare<[number], { n: number }>(
    `SELECT count(*) AS n FROM outbox WHERE participation_id = ? AND state IN ('pending', 'in_flight', 'conflict')`
  )
  const pendingForAttendance = sqlite.prepare<[number, number], { n: number }>(
    `SELECT count(*) AS n FROM outbox WHERE participation_id = ? AND session_id = ? AND state IN ('pending', 'in_flight', 'conflict')`
  )
  const findAttendance = sqlite.prepare<
    [number, number],
    {
      status: string
      attendees: number
      providerId: string | null
      seenStatus: AttendanceStatus | null
      seenAttendees: number | null
      markedAt: number | null
      checkedOutAt: number | null
    }
  >(
    `SELECT status, attendees, provider_id AS providerId, seen_status AS seenStatus, seen_attendees AS seenAttendees,
            marked_at AS markedAt, checked_out_at AS checkedOutAt
     FROM attendance WHERE participation_id = ? AND session_id = ?`
  )
  // A pulled mark is also what this desk last saw of it.
  const upsertStatement = sqlite.prepare(
    `INSERT INTO attendance (participation_id, session_id, status, attendees, marked_at, desk_id, method, provider_id, seen_status, seen_attendees, updated_at, checked_out_at, day)
     VALUES (@participationId, @sessionId, @status, @attendees, @markedAt, @deskId, 'provider', @providerId, @status, @attendees, @now, @checkedOutAt, @day)
     ON CONFLICT (participation_id, session_id) DO UPDATE SET status = excluded.status, attendees = excluded.attendees,
       marked_at = excluded.marked_at, desk_id = excluded.desk_id, method = 'provider', provider_id = excluded.provider_id,
       seen_status = excluded.seen_status, seen_attendees = excluded.seen_attendees,
       -- A provider without check-out (Wix) does not clear one the desk recorded while still attended.
       checked_out_at = CASE WHEN @exitKnown = 1 THEN excluded.checked_out_at
                             WHEN excluded.status = 'ATTENDED' AND attendance.status = 'ATTENDED' THEN attendance.checked_out_at END,
       day = excluded.day,
       undo_status = NULL, undo_attendees = NULL, undo_marked_at = NULL, undo_desk_id = NULL, updated_at = excluded.updated_at`
  )
  const setSeen = sqlite.prepare(`UPDATE attendance SET seen_status = ?, seen_attendees = ? WHERE participation_id = ? AND session_id = ?`)
  const zoneOf = sqlite.prepare<[number], { timeZone: string }>('SELECT time_zone AS timeZone FROM sessions WHERE id = ?')
  const zones = new Map<number, string>()
  /** A pulled mark with its day (in the session's zone) and check-out time. */
  const upsertAttendance = {
    run(v: { participationId: number; sessionId: number; status: string; attendees: number; markedAt: number | null; deskId: string | null; providerId: string | null; now: number; checkedOutAt?: number | null }) {
      let zone = zones.get(v.sessionId)
      if (zone === undefined) {
        zone = zoneOf.get(v.sessionId)?.timeZone ?? 'UTC'
        zones.set(v.sessionId, zone)
      }
      return upsertStatement.run({
        ...v,
        checkedOutAt: v.checkedOutAt ?? null,
        exitKnown: v.checkedOutAt === undefined ? 0 : 1,
        day: v.markedAt === null ? null : dayIn(v.markedAt, zone)
      })
    }
  }
  const setAttendanceProviderId = sqlite.prepare(
    `UPDATE attendance SET provider_id = ? WHERE participation_id = ? AND session_id = ?`
  )
  const sessionRef = sqlite.prepare<[number], Omit<SessionRef, 'raw'> & { raw: string | null }>(
    `SELECT id, provider_id AS providerId, schedule_id AS scheduleId, kind, time_zone AS timeZone, raw FROM sessions WHERE id = ?`
  )
  const participationRef = sqlite.prepare<[number], ParticipationRef & { raw: string | null; sessionLocalId: number | null }>(
    `SELECT p.id, p.provider_id AS providerId, p.external_id AS externalId,
       s.provider_id AS sessionProviderId, p.schedule_id AS scheduleId, p.name, p.email, p.phone, p.party_size AS partySize,
       p.status, p.revision, p.raw
     FROM participations p LEFT JOIN sessions s ON s.id = p.session_id WHERE p.id = ?`
  )
  const keyOf = sqlite.prepare<[number], { providerId: string; isWalkIn: number }>(`SELECT provider_id AS providerId, is_walk_in AS isWalkIn FROM participations WHERE id = ?`)
  const former = formerKeys(sqlite)
  const rename = sqlite.prepare(`UPDATE participations SET provider_id = ? WHERE id = ?`)
  const setParticipationFromServer = sqlite.prepare(
    `UPDATE participations SET provider_id = @providerId, external_id = @externalId, name = @name, sort_name = @sortName,
       email = @email, phone = @phone, contact_id = @contactId, customer_number = @customerNumber, booking_id = @bookingId,
       badge_number = @badgeNumber, search_codes = @searchCodes, party_size = @partySize, status = @status,
       revision = @revision, raw = @raw, removed_at = NULL, updated_at = @now WHERE id = @id`
  )

  const saveCursor = sqlite.prepare(
    `INSERT INTO pull_cursors (provider, session_id, token, rows, started_at, updated_at) VALUES (@provider, @sessionId, @token, @rows, @startedAt, @now)
     ON CONFLICT (provider, session_id) DO UPDATE SET token = excluded.token, updated_at = excluded.updated_at, started_at = excluded.started_at,
       rows = CASE WHEN pull_cursors.started_at = excluded.started_at THEN pull_cursors.rows + excluded.rows ELSE excluded.rows END`
  )
  const cursorOf = sqlite.prepare<[string, number], { token: string; rows: number; startedAt: number; updatedAt: number }>(
    `SELECT token, rows, started_at AS startedAt, updated_at AS updatedAt FROM pull_cursors WHERE provider = ? AND session_id = ?`
  )
  const endedBefore = sqlite.prepare<[number], number>(`SELECT 1 FROM sessions WHERE ends_at < ? LIMIT 1`).pluck()
  const dropCursor = sqlite.prepare(`DELETE FROM pull_cursors WHERE provider = ? AND session_id = ?`)

  const sessionIdOf = sqlite.prepare<[string, string], { id: number }>(`SELECT id FROM sessions WHERE provider = ? AND provider_id = ?`)

  // Reconciling a complete download with what the desk holds (see reconcileRoster / reconcileAttendance).
  const rosterOf = sqlite.prepare<{ provider: string; sessionId: number; scheduleId: string | null }, { id: number; providerId: string }>(
    `SELECT id, provider_id AS providerId FROM participations INDEXED BY participations_session_sort
       WHERE session_id = @sessionId AND removed_at IS NULL AND provider = @provider
     UNION ALL
     SELECT id, provider_id AS providerId FROM participations INDEXED BY participations_schedule_sort
       WHERE @scheduleId IS NOT NULL AND schedule_id = @scheduleId AND removed_at IS NULL AND provider = @provider`
  )
  const markRemoved = sqlite.prepare(`UPDATE participations SET removed_at = ? WHERE id = ? AND removed_at IS NULL`)
  const markUpdatedAt = sqlite.prepare<[number, number], number>(`SELECT updated_at FROM attendance WHERE participation_id = ? AND session_id = ?`).pluck()
  const heldMarks = sqlite.prepare<[string, number], { participationId: number; updatedAt: number }>(
    `SELECT a.participation_id AS participationId, a.updated_at AS updatedAt FROM attendance a JOIN participations p ON p.id = a.participation_id
     WHERE p.provider = ? AND a.session_id = ? AND a.status <> 'NOT_SET' AND (a.provider_id IS NOT NULL OR a.method = 'provider'
       OR (a.seen_status IS NOT NULL AND a.seen_status <> 'NOT_SET')
       OR (SELECT o.state FROM outbox o WHERE o.participation_id = a.participation_id AND o.session_id = a.session_id
           AND o.kind = 'attendance.set' ORDER BY o.seq DESC LIMIT 1) = 'discarded')`
  )
  const inFlightFor = sqlite.prepare<[number, number], { n: number }>(
    `SELECT count(*) AS n FROM outbox WHERE participation_id = ? AND session_id = ? AND state = 'in_flight'`
  )
  const pendingMarks = sqlite.prepare<[number, number], { seq: number; payload: string }>(
    `SELECT seq, payload FROM outbox WHERE participation_id = ? AND session_id = ? AND kind = 'attendance.set' AND state = 'pending' ORDER BY seq`
  )
  const toConflict = sqlite.prepare(
    `UPDATE outbox SET state = 'conflict', last_error = @message, last_error_reason = @reason, updated_at = @now WHERE seq = @seq AND state = 'pending'`
  )
  const clearMark = sqlite.prepare(
    `UPDATE attendance SET status = 'NOT_SET', attendees = 0, marked_at = NULL, desk_id = NULL, method = 'provider', provider_id = NULL,
       seen_status = 'NOT_SET', seen_attendees = 0, undo_status = NULL, undo_attendees = NULL, undo_marked_at = NULL, undo_desk_id = NULL, updated_at = @now
     WHERE participation_id = @participationId AND session_id = @sessionId`
  )

  /** One attendance record from the provider, unless the desk has marks for it still to send. */
  function applyMark(provider: string, sessionId: number, r: AttendanceRecord, stats: ApplyStats, seen?: number[]) {
    let participation = r.participationProviderId
      ? findParticipation.get(provider, r.participationProviderId)
      : r.bookingId
        ? findByBooking.get(provider, r.bookingId)
        : undefined
    if (!participation && r.participationProviderId && r.formerParticipationProviderId) {
      // Held here by the key the provider renamed (a LAN hub's walk-in): the row takes the new key
      // (as a roster download would), so the mark lands on it, not nowhere.
      participation = findParticipation.get(provider, r.formerParticipationProviderId)
      if (participation) rename.run(r.participationProviderId, participation.id)
    }
    if (!participation) return
    seen?.push(participation.id)
    if ((pendingForAttendance.get(participation.id, sessionId)?.n ?? 0) > 0) {
      stats.skippedPending++
      return
    }
    const attendees = r.status === 'ATTENDED' ? Math.min(1000, Math.max(1, r.attendees)) : 0
    const current = findAttendance.get(participation.id, sessionId)
    const sameExit = r.checkedOutAt === undefined || (current?.checkedOutAt ?? null) === r.checkedOutAt
    if (current ? current.status === r.status && current.attendees === attendees && current.providerId === r.providerId && sameExit : r.status === 'NOT_SET') {
      if (current && (current.seenStatus !== r.status || current.seenAttendees !== attendees)) setSeen.run(r.status, attendees, participation.id, sessionId)
      stats.unchanged++
      return
    }
    upsertAttendance.run({
      participationId: participation.id,
      sessionId,
      status: r.status,
      attendees,
      markedAt: r.markedAt,
      deskId: r.deskId,
      providerId: r.providerId,
      now: now(),
      checkedOutAt: r.checkedOutAt
    })
    stats[current ? 'updated' : 'inserted']++
  }

  /**
   * The marks carried by a person this page has just inserted: nothing to compare with and nothing
   * waiting in the outbox for them, so each mark is written as it comes (a repeated session, which
   * no provider sends, takes the careful path).
   */
  function applyFreshMarks(provider: string, participationId: number, pulledSessionId: number, pulledSessionProviderId: string | null, r: ParticipationRecord, stats: ApplyStats) {
    if (!r.attendance) return
    const seen = new Set<string>()
    for (const mark of r.attendance) {
      const sessionId = mark.sessionProviderId === pulledSessionProviderId ? pulledSessionId : sessionIdOf.get(provider, mark.sessionProviderId)?.id
      if (sessionId === undefined) {
        seen.add(mark.sessionProviderId)
        continue
      }
      if (seen.has(mark.sessionProviderId)) {
        applyMark(provider, sessionId, mark, stats)
        continue
      }
      seen.add(mark.sessionProviderId)
      if (mark.status === 'NOT_SET') {
        stats.unchanged++
        continue
      }
      upsertAttendance.run({
        participationId,
        sessionId,
        status: mark.status,
        attendees: mark.status === 'ATTENDED' ? Math.min(1000, Math.max(1, mark.attendees)) : 0,
        markedAt: mark.markedAt,
        deskId: mark.deskId,
        providerId: mark.providerId,
        now: now(),
        checkedOutAt: mark.checkedOutAt
      })
      stats.inserted++
    }
    // No mark for the pulled session: nothing to clear on a person who had none.
    if (pulledSessionProviderId && !seen.has(pulledSessionProviderId)) stats.unchanged++
  }

  /** Marks kept on a participation: for the pulled session and, for courses, its other sessions. */
  function applyEmbeddedMarks(provider: string, pulledSessionId: number, pulledSessionProviderId: string | null, r: ParticipationRecord, stats: ApplyStats) {
    if (!r.attendance) return
    const seen = new Set<string>()
    for (const mark of r.attendance) {
      seen.add(mark.sessionProviderId)
      const sessionId = mark.sessionProviderId === pulledSessionProviderId ? pulledSessionId : sessionIdOf.get(provider, mark.sessionProviderId)?.id
      if (sessionId !== undefined) applyMark(provider, sessionId, mark, stats)
    }
    // No mark for the pulled session on the server: it was cleared there (or never made).
    if (pulledSessionProviderId && !seen.has(pulledSessionProviderId)) {
      applyMark(provider, pulledSessionId, { participationProviderId: r.providerId, sessionProviderId: pulledSessionProviderId, status: 'NOT_SET', attendees: 0, providerId: null, markedAt: null, deskId: null }, stats)
    }
  }

  const participationValues = (provider: string, r: ParticipationRecord, sessionId: number | null) => participationRow(provider, r, sessionId, now())

  /** People a complete download lacks, a chunk at a time (see reconcileRoster). */
  const removeFromRoster = relaxed(
    sqlite.transaction((ids: number[], at: number): number => {
      let removed = 0
      for (const id of ids) {
        if ((pendingForParticipation.get(id)?.n ?? 0) > 0) continue
        removed += markRemoved.run(at, id).changes
      }
      return removed
    })
  )

  /** Marks the service no longer holds, a chunk at a time (see reconcileAttendance). */
  const settleMarks = relaxed(
    sqlite.transaction((sessionId: number, rows: { participationId: number; updatedAt: number }[], conflict: { message: string; reason: string }) => {
      let cleared = 0
      let conflicts = 0
      for (const row of rows) {
        // Changed since it was read (a check-in, a push's answer): not what the download compared.
        if (markUpdatedAt.get(row.participationId, sessionId) !== row.updatedAt) continue
        if ((inFlightFor.get(row.participationId, sessionId)?.n ?? 0) > 0) continue
        // Marks the desk already chose to keep over the service's version ("keep this desk's") are
        // its decision: not asked again.
        const waiting = pendingMarks.all(row.participationId, sessionId).filter((w) => JSON.parse(w.payload).force !== true)
        // A newer check-in waiting to go: the desk decides (sent as it is, it would silently undo
        // the other station's deletion). A waiting no-show or clearing agrees with the deletion.
        if (waiting.some((w) => JSON.parse(w.payload).status === 'ATTENDED')) {
          for (const w of waiting) conflicts += toConflict.run({ seq: w.seq, message: conflict.message, reason: conflict.reason, now: now() }).changes
          continue
        }
        // A decision already waits for the desk, or a no-show/clearing waits to go: leave it to them.
        if ((pendingForAttendance.get(row.participationId, sessionId)?.n ?? 0) > 0) continue
        clearMark.run({ participationId: row.participationId, sessionId, now: now() })
        cleared++
      }
      return { cleared, conflicts }
    })
  )

  return {
    /** The connection it writes through (the engine's inline writer uses the same). */
    db,
    applySessions: relaxed(sqlite.transaction((provider: string, records: SessionRecord[]): ApplyStats & { ids: number[] } => {
      const stats = { ...emptyStats(), ids: [] as number[] }
      for (const r of records) {
        const values = {
          provider,
          providerId: r.providerId,
          title: r.title,
          startsAt: r.startsAt,
          endsAt: Math.max(r.endsAt, r.startsAt),
          timeZone: r.timeZone,
          allDay: r.allDay ? 1 : 0,
          capacity: r.capacity,
          scheduleId: r.scheduleId,
          scheduleName: r.scheduleName,
          kind: r.kind,
          status: r.status,
          revision: r.revision ?? contentRevision(r.raw),
          raw: JSON.stringify(r.raw ?? null),
          now: now()
        }
        const existing = findSession.get(provider, r.providerId)
        if (!existing) {
          stats.ids.push(Number(insertSession.run(values).lastInsertRowid))
          stats.inserted++
        } else {
          stats.ids.push(existing.id)
          if (existing.revision === values.revision) stats.unchanged++
          else {
            updateSession.run({ ...values, id: existing.id })
            stats.updated++
          }
        }
      }
      return stats
    })),

    /** One page of a session's roster. `sessionId` is the local session the page was pulled for. */
    applyParticipations: relaxed(
      sqlite.transaction((
        provider: string,
        session: { id: number; providerId: string },
        records: ParticipationRecord[],
        /**
         * Where the download goes on from after these rows: committed with them, never ahead of them.
         * `rows`: how many rows it counts as done (these, unless they end a batch written in parts).
         */
        resume?: { token: string; startedAt: number; rows?: number }
      ): ApplyStats & { ids: number[]; marks: ApplyStats } => {
        const stats = { ...emptyStats(), ids: [] as number[], marks: emptyStats() }
        // Renamed by the provider (a LAN hub's walk-in Wix or Plandocket gave its own id): the row
        // held under the former key takes the new one, with its marks and unsent operations (they
        // name the row, not the key), instead of the new key arriving as a second person.
        for (const r of records) {
          if (r.formerProviderId === undefined || r.formerProviderId === r.providerId) continue
          const held = findParticipation.get(provider, r.formerProviderId)
          if (held && !findParticipation.get(provider, r.providerId)) rename.run(r.providerId, held.id)
        }
        if (resume) saveCursor.run({ provider, sessionId: session.id, token: resume.token, rows: resume.rows ?? records.length, startedAt: resume.startedAt, now: now() })
        // Who is new on this page: inserted first, together (see the top of this file). A person
        // repeated within the page is new only the first time; the repeat is handled in order below
        // like any existing row, as it always was.
        const existing = records.map((r) => findParticipation.get(provider, r.providerId))
        const fresh: number[] = []
        const freshIds = new Set<string>()
        records.forEach((r, i) => {
          if (!existing[i] && !freshIds.has(r.providerId)) {
            freshIds.add(r.providerId)
            fresh.push(i)
          }
        })
        const values = records.map((r) => participationValues(provider, r, session.id))
        const insertedIds = new Map<number, number>()
        if (fresh.length) {
          const ids = insertParticipations(fresh.map((i) => values[i]!))
          fresh.forEach((i, k) => insertedIds.set(i, ids[k]!))
        }
        const seenRevision = new Map<string, { id: number; revision: string | null; removedAt?: number | null }>()
        records.forEach((r, i) => {
          const v = values[i]!
          const newId = insertedIds.get(i)
          if (newId !== undefined) {
            stats.ids.push(newId)
            stats.inserted++
            seenRevision.set(r.providerId, { id: newId, revision: v.revision })
            applyFreshMarks(provider, newId, session.id, session.providerId, r, stats.marks)
            return
          }
          const row = seenRevision.get(r.providerId) ?? existing[i] ?? findParticipation.get(provider, r.providerId)!
          stats.ids.push(row.id)
          // Back in the service after it was removed there: back on the roster, even if unchanged.
          if (row.revision === v.revision && !row.removedAt) {
            stats.unchanged++
            return
          }
          if ((pendingForParticipation.get(row.id)?.n ?? 0) > 0) {
            stats.skippedPending++
            return
          }
          updateParticipation.run({ ...v, id: row.id })
          seenRevision.set(r.providerId, { id: row.id, revision: v.revision })
          stats.updated++
          applyEmbeddedMarks(provider, session.id, session.providerId, r, stats.marks)
        })
        return stats
      })
    ),

    /** One page of a session's attendance; `ids` are the local participations it spoke of. */
    applyAttendance: relaxed(
      sqlite.transaction((provider: string, sessionId: number, records: AttendanceRecord[]): ApplyStats & { ids: number[] } => {
        const stats = { ...emptyStats(), ids: [] as number[] }
        for (const r of records) applyMark(provider, sessionId, r, stats, stats.ids)
        return stats
      })
    ),

    /**
     * After a COMPLETE roster download (every page read and applied): whoever the service no longer
     * has leaves the roster. Kept: walk-ins the service has not answered for yet, and people with
     * a mark still to send or awaiting the desk's decision (the desk's intent first; the next
     * complete download after it is settled decides). Their rows, marks and audit entries stay.
     */
    reconcileRoster(provider: string, session: { id: number; scheduleId: string | null }, seen: ReadonlySet<string>): number {
      // Who is not in the download is read without the write lock (a WAL snapshot: a check-in
      // commits meanwhile), then removed in short transactions that check each person again. One
      // transaction over a 100,000-person roster held the lock for seconds on a loaded machine:
      // a check-in waiting for it ran out of busy_timeout and failed.
      const at = now()
      const gone = rosterOf
        .all({ provider, sessionId: session.id, scheduleId: session.scheduleId })
        .filter((row) => !seen.has(row.providerId) && !row.providerId.startsWith('walk-in:'))
        .map((row) => row.id)
      let removed = 0
      for (let i = 0; i < gone.length; i += RECONCILE_ROWS) removed += removeFromRoster(gone.slice(i, i + RECONCILE_ROWS), at)
      return removed
    },

    /**
     * After a COMPLETE attendance download from a service whose attendance list is the whole truth
     * for the session: a mark the service held (it came from the service, or the service gave it
     * an id) and no longer has was deleted elsewhere. It is cleared on the desk, unless this desk
     * holds a newer unsent check-in for the person: that becomes a conflict for the desk to decide
     * (keep this desk's mark / use the service's), and the desk's mark stays meanwhile. Marks the service never had (a no-show Plandocket
     * cannot store, a mark still waiting) are not touched.
     */
    reconcileAttendance(provider: string, sessionId: number, seen: ReadonlySet<number>, conflict: { message: string; reason: string }): { cleared: number; conflicts: number } {
      // As reconcileRoster: read without the write lock, settled in short transactions that look
      // at each mark again (one changed since the read is left to the next download).
      const candidates = heldMarks.all(provider, sessionId).filter((row) => !seen.has(row.participationId))
      const total = { cleared: 0, conflicts: 0 }
      for (let i = 0; i < candidates.length; i += RECONCILE_ROWS) {
        const done = settleMarks(sessionId, candidates.slice(i, i + RECONCILE_ROWS), conflict)
        total.cleared += done.cleared
        total.conflicts += done.conflicts
      }
      return total
    },

    /**
     * For the length of a pull: SQLite's automatic checkpoint (every 1,000 WAL pages, run by
     * whichever commit crosses it — a check-in's too) is off, and the pull checkpoints itself between
     * its own transactions every `rowsPerCheckpoint` rows. A 100-row page touches ~600 pages (random
     * index leaves, the search index), so the automatic one copied every page back after every
     * commit or two; every 3,000 rows, index leaves written by several commits are copied once
     * (measured at 100,000 rows: every 800 rows wrote 4.4 GB instead of 5.0 GB, 16.3 s instead of
     * 18.0 s; with the lighter indexes of migration 0005, every 3,000 instead of 800 took the pull
     * from 10.3 s to 9.8 s, the WAL peaking near 70 MB, and a check-in's worst wait from 54 to
     * 48-75 ms). Each checkpoint syncs the WAL, so NORMAL pull commits never leave more than that
     * much for a check-in's FULL commit to sync. `end()` puts the setting back and checkpoints
     * what is left.
     */
    bulkPull(rowsPerCheckpoint = 3000) {
      const before = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number
      sqlite.pragma('wal_autocheckpoint = 0')
      let rows = 0
      let ended = false
      const checkpoint = () => {
        rows = 0
        if (!sqlite.inTransaction) sqlite.pragma('wal_checkpoint(PASSIVE)')
      }
      return {
        /** After a pull transaction: `written` rows went in. True when a checkpoint is due. */
        wrote(written: number): boolean {
          rows += written
          return rows >= rowsPerCheckpoint
        },
        checkpoint,
        /** `andCheckpoint` false: another connection (the pull's worker) checkpoints. */
        end(andCheckpoint = true) {
          if (ended || !sqlite.open) return
          ended = true
          sqlite.pragma(`wal_autocheckpoint = ${before}`)
          if (andCheckpoint) checkpoint()
        }
      }
    },

    /** Whether any session ended before `cutoff` (retention has work). */
    endedBefore: (cutoff: number) => endedBefore.get(cutoff) !== undefined,
    /** The resume cursor of an interrupted roster download, if one was left. */
    pullCursor: (provider: string, sessionId: number) => cursorOf.get(provider, sessionId) ?? null,
    /** The download completed (or its cursor is of no more use): the next one starts from the top. */
    clearPullCursor: (provider: string, sessionId: number) => void dropCursor.run(provider, sessionId),

    sessionRef(id: number): SessionRef | undefined {
      const row = sessionRef.get(id)
      if (!row) return undefined
      return { ...row, raw: row.raw === null ? null : JSON.parse(row.raw) }
    },
    participationRef(id: number): ParticipationRef | undefined {
      const row = participationRef.get(id)
      if (!row) return undefined
      return { ...row, raw: row.raw === null ? null : JSON.parse(row.raw) }
    },
    attendanceProviderId: (participationId: number, sessionId: number) => findAttendance.get(participationId, sessionId)?.providerId ?? null,
    /** What the provider held when this desk last saw this person's mark; null = never seen one. */
    lastSeen(participationId: number, sessionId: number): { status: AttendanceStatus; attendees: number } | null {
      const row = findAttendance.get(participationId, sessionId)
      return row?.seenStatus ? { status: row.seenStatus, attendees: row.seenAttendees ?? 0 } : null
    },
    /** Stores what the server answered to a push (new revision, server ids). */
    recordPushResult: immediate(sqlite.transaction(
      (
        participationId: number,
        session: { id: number; providerId: string },
        provider: string,
        participation: ParticipationRecord | undefined,
        attendanceProviderId: string | null | undefined,
        seen?: { status: AttendanceStatus; attendees: number },
        attendance?: AttendanceRecord
      ) => {
        const sessionId = session.id
        // What the server answered is its current record: take it whole (a walk-in gets its real id),
        // with the marks it carries, so the stored revision never claims marks the replica lacks.
        if (participation) {
          const before = keyOf.get(participationId)
          // A walk-in renamed by the service: its first key still names it (LAN members hold it; see former-keys.ts).
          if (before?.isWalkIn && before.providerId !== participation.providerId) former.remember(provider, before.providerId, participationId)
          setParticipationFromServer.run({ ...participationValues(provider, participation, null), id: participationId })
          applyEmbeddedMarks(provider, session.id, session.providerId, participation, emptyStats())
        }
        // The provider settled this mark against its own record (another station's check-in): show theirs.
        if (attendance) applyMark(provider, session.id, attendance, emptyStats())
        else if (attendanceProviderId !== undefined) setAttendanceProviderId.run(attendanceProviderId, participationId, sessionId)
        if (seen) setSeen.run(seen.status, seen.status === 'ATTENDED' ? seen.attendees : 0, participationId, sessionId)
      }
    ))
  }
}

export type Replica = ReturnType<typeof createReplica>
