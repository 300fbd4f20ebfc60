/**
 * Writes what a provider sent into the local replica: one transaction per page (batched writes),
 * rows whose revision did not change are not rewritten, and a row with marks still waiting in the
 * outbox is never overwritten by a pull (the desk's intent wins until it has been sent).
 */
import type { Db } from '../db'
import { buildSearchCodes, foldText } from '../core/text'
import type { AttendanceRecord, ParticipationRecord, ParticipationRef, SessionRecord, SessionRef } from '../providers/types'
import { createHash } from 'node:crypto'

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

export function createReplica(db: Db, now: () => number) {
  const sqlite = db.$client

  const findSession = sqlite.prepare<[string, string], { id: number; revision: string | null }>(
    `SELECT id, revision FROM sessions WHERE provider = ? AND provider_id = ?`
  )
  const insertSession = sqlite.prepare(
    `INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, all_day, capacity, schedule_id,
       schedule_name, kind, status, app_id, revision, raw, created_at, updated_at)
     VALUES (@provider, @providerId, @title, @startsAt, @endsAt, @timeZone, @allDay, @capacity, @scheduleId,
       @scheduleName, @kind, @status, @appId, @revision, @raw, @now, @now)`
  )
  const updateSession = sqlite.prepare(
    `UPDATE sessions SET title = @title, starts_at = @startsAt, ends_at = @endsAt, time_zone = @timeZone, all_day = @allDay,
       capacity = @capacity, schedule_id = @scheduleId, schedule_name = @scheduleName, kind = @kind, status = @status,
       app_id = @appId, revision = @revision, raw = @raw, updated_at = @now WHERE id = @id`
  )
  const findParticipation = sqlite.prepare<[string, string], { id: number; revision: string | null }>(
    `SELECT id, revision FROM participations WHERE provider = ? AND provider_id = ?`
  )
  const findByBooking = sqlite.prepare<[string, string], { id: number; revision: string | null }>(
    `SELECT id, revision FROM participations WHERE provider = ? AND booking_id = ? ORDER BY id LIMIT 1`
  )
  const insertParticipation = sqlite.prepare(
    `INSERT INTO participations (provider, provider_id, external_id, session_id, schedule_id, name, sort_name, email, phone,
       contact_id, customer_number, booking_id, badge_number, search_codes, party_size, status, revision, raw, created_at, updated_at)
     VALUES (@provider, @providerId, @externalId, @sessionId, @scheduleId, @name, @sortName, @email, @phone,
       @contactId, @customerNumber, @bookingId, @badgeNumber, @searchCodes, @partySize, @status, @revision, @raw, @now, @now)`
  )
  const updateParticipation = sqlite.prepare(
    `UPDATE participations SET external_id = @externalId, session_id = @sessionId, schedule_id = @scheduleId, name = @name,
       sort_name = @sortName, email = @email, phone = @phone, contact_id = @contactId, customer_number = @customerNumber,
       booking_id = @bookingId, badge_number = @badgeNumber, search_codes = @searchCodes, party_size = @partySize,
       status = @status, revision = @revision, raw = @raw, updated_at = @now WHERE id = @id`
  )
  const pendingForParticipation = sqlite.prepare<[number], { n: number }>(
    `SELECT count(*) AS n FROM outbox WHERE participation_id = ? AND state IN ('pending', 'in_flight', 'conflict')`
  )
  const pendingForAttendance = sqlite.prepare<[number, number], { n: number }>(
    `SELECT count(*) AS n FROM outbox WHERE participation_id = ? AND session_id = ? AND state IN ('pending', 'in_flight', 'conflict')`
  )
  const findAttendance = sqlite.prepare<[number, number], { status: string; attendees: number; providerId: string | null }>(
    `SELECT status, attendees, provider_id AS providerId FROM attendance WHERE participation_id = ? AND session_id = ?`
  )
  const upsertAttendance = sqlite.prepare(
    `INSERT INTO attendance (participation_id, session_id, status, attendees, marked_at, desk_id, method, provider_id, updated_at)
     VALUES (@participationId, @sessionId, @status, @attendees, @markedAt, @deskId, 'provider', @providerId, @now)
     ON CONFLICT (participation_id, session_id) DO UPDATE SET status = excluded.status, attendees = excluded.attendees,
       marked_at = excluded.marked_at, desk_id = excluded.desk_id, method = 'provider', provider_id = excluded.provider_id,
       undo_status = NULL, undo_attendees = NULL, undo_marked_at = NULL, undo_desk_id = NULL, updated_at = excluded.updated_at`
  )
  const setAttendanceProviderId = sqlite.prepare(
    `UPDATE attendance SET provider_id = ? WHERE participation_id = ? AND session_id = ?`
  )
  const sessionRef = sqlite.prepare<[number], SessionRef>(
    `SELECT id, provider_id AS providerId, schedule_id AS scheduleId, kind, app_id AS appId, time_zone AS timeZone FROM sessions WHERE id = ?`
  )
  const participationRef = sqlite.prepare<[number], ParticipationRef & { raw: string | null; sessionLocalId: number | null }>(
    `SELECT p.id, p.provider_id AS providerId, p.external_id AS externalId, p.booking_id AS bookingId,
       s.provider_id AS sessionProviderId, p.schedule_id AS scheduleId, p.name, p.email, p.phone, p.party_size AS partySize,
       p.status, p.revision, p.raw
     FROM participations p LEFT JOIN sessions s ON s.id = p.session_id WHERE p.id = ?`
  )
  const setParticipationFromServer = sqlite.prepare(
    `UPDATE participations SET provider_id = @providerId, external_id = @externalId, name = @name, sort_name = @sortName,
       email = @email, phone = @phone, contact_id = @contactId, customer_number = @customerNumber, booking_id = @bookingId,
       badge_number = @badgeNumber, search_codes = @searchCodes, party_size = @partySize, status = @status,
       revision = @revision, raw = @raw, updated_at = @now WHERE id = @id`
  )
  const sessionsOfProvider = sqlite.prepare<[string, string], { id: number; providerId: string }>(
    `SELECT id, provider_id AS providerId FROM sessions WHERE provider = ? AND provider_id IN (SELECT value FROM json_each(?))`
  )

  const sessionIdOf = sqlite.prepare<[string, string], { id: number }>(`SELECT id FROM sessions WHERE provider = ? AND provider_id = ?`)

  /** One attendance record from the provider, unless the desk has marks for it still to send. */
  function applyMark(provider: string, sessionId: number, r: AttendanceRecord, stats: ApplyStats) {
    const participation = r.participationProviderId
      ? findParticipation.get(provider, r.participationProviderId)
      : r.bookingId
        ? findByBooking.get(provider, r.bookingId)
        : undefined
    if (!participation) return
    if ((pendingForAttendance.get(participation.id, sessionId)?.n ?? 0) > 0) {
      stats.skippedPending++
      return
    }
    const attendees = r.status === 'ATTENDED' ? Math.min(1000, Math.max(1, r.attendees)) : 0
    const current = findAttendance.get(participation.id, sessionId)
    if (current ? current.status === r.status && current.attendees === attendees && current.providerId === r.providerId : r.status === 'NOT_SET') {
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
      now: now()
    })
    stats[current ? 'updated' : 'inserted']++
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

  const participationValues = (provider: string, r: ParticipationRecord, sessionId: number | null) => ({
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
    now: now()
  })

  return {
    applySessions: sqlite.transaction((provider: string, records: SessionRecord[]): ApplyStats & { ids: number[] } => {
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
          appId: r.appId,
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
    }),

    /** One page of a session's roster. `sessionId` is the local session the page was pulled for. */
    applyParticipations: sqlite.transaction((provider: string, session: { id: number; providerId: string }, records: ParticipationRecord[]): ApplyStats & { ids: number[]; marks: ApplyStats } => {
      const stats = { ...emptyStats(), ids: [] as number[], marks: emptyStats() }
      for (const r of records) {
        const values = participationValues(provider, r, session.id)
        const existing = findParticipation.get(provider, r.providerId)
        if (!existing) {
          stats.ids.push(Number(insertParticipation.run(values).lastInsertRowid))
          stats.inserted++
        } else {
          stats.ids.push(existing.id)
          if (existing.revision === values.revision) {
            stats.unchanged++
            continue
          }
          if ((pendingForParticipation.get(existing.id)?.n ?? 0) > 0) {
            stats.skippedPending++
            continue
          }
          updateParticipation.run({ ...values, id: existing.id })
          stats.updated++
        }
        applyEmbeddedMarks(provider, session.id, session.providerId, r, stats.marks)
      }
      return stats
    }),

    applyAttendance: sqlite.transaction((provider: string, sessionId: number, records: AttendanceRecord[]): ApplyStats => {
      const stats = emptyStats()
      for (const r of records) applyMark(provider, sessionId, r, stats)
      return stats
    }),

    sessionRef: (id: number) => sessionRef.get(id),
    participationRef(id: number): ParticipationRef | undefined {
      const row = participationRef.get(id)
      if (!row) return undefined
      return { ...row, raw: row.raw === null ? null : JSON.parse(row.raw) }
    },
    attendanceProviderId: (participationId: number, sessionId: number) => findAttendance.get(participationId, sessionId)?.providerId ?? null,
    /** Stores what the server answered to a push (new revision, server ids). */
    recordPushResult: sqlite.transaction(
      (
        participationId: number,
        session: { id: number; providerId: string },
        provider: string,
        participation: ParticipationRecord | undefined,
        attendanceProviderId: string | null | undefined
      ) => {
        const sessionId = session.id
        // What the server answered is its current record: take it whole (a walk-in gets its real id),
        // with the marks it carries, so the stored revision never claims marks the replica lacks.
        if (participation) {
          setParticipationFromServer.run({ ...participationValues(provider, participation, null), id: participationId })
          applyEmbeddedMarks(provider, session.id, session.providerId, participation, emptyStats())
        }
        if (attendanceProviderId !== undefined) setAttendanceProviderId.run(attendanceProviderId, participationId, sessionId)
      }
    ),
    localSessionIds(provider: string, providerIds: string[]): Map<string, number> {
      return new Map(sessionsOfProvider.all(provider, JSON.stringify(providerIds)).map((r) => [r.providerId, r.id]))
    }
  }
}

export type Replica = ReturnType<typeof createReplica>
