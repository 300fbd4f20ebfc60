/**
 * Marks made at the desk. Each mark commits, in ONE transaction, the attendance row, an outbox
 * operation for the booking system and an audit entry: once the call returns, the mark survives a
 * crash or a pulled plug, and cannot exist without the operation that will sync it.
 */
import type { AttendanceStatus, RosterRow } from '../../shared/contract'
import type { CoreContext } from './context'
import { dayIn, spansDays } from './days'
import { DeskError } from './errors'
import { buildSearchCodes, foldText } from './text'
import type { RosterService } from './roster'
import type { SessionService } from './sessions'
import { sessionRules, traitsOf, walkInEmailRequiredBy } from '../providers/registry'

interface Mark {
  status: AttendanceStatus
  attendees: number
}

interface CurrentRow {
  status: AttendanceStatus
  attendees: number
  markedAt: number | null
  deskId: string | null
  undoStatus: AttendanceStatus | null
  undoAttendees: number | null
  undoMarkedAt: number | null
  undoDeskId: string | null
  checkedOutAt: number | null
  day: string | null
}

const NOTHING: CurrentRow = {
  status: 'NOT_SET',
  attendees: 0,
  markedAt: null,
  deskId: null,
  undoStatus: null,
  undoAttendees: null,
  undoMarkedAt: null,
  undoDeskId: null,
  checkedOutAt: null,
  day: null
}

export function createAttendanceService(ctx: CoreContext, sessions: SessionService, roster: RosterService) {
  const { $client: sqlite } = ctx.db

  const current = sqlite.prepare<[number, number], CurrentRow>(
    `SELECT status, attendees, marked_at AS markedAt, desk_id AS deskId, undo_status AS undoStatus,
            undo_attendees AS undoAttendees, undo_marked_at AS undoMarkedAt, undo_desk_id AS undoDeskId,
            checked_out_at AS checkedOutAt, day
     FROM attendance WHERE participation_id = ? AND session_id = ?`
  )
  const upsert = sqlite.prepare(
    `INSERT INTO attendance (participation_id, session_id, status, attendees, marked_at, desk_id, method,
                             undo_status, undo_attendees, undo_marked_at, undo_desk_id, updated_at, checked_out_at, day)
     VALUES (@participationId, @sessionId, @status, @attendees, @markedAt, @deskId, @method,
             @undoStatus, @undoAttendees, @undoMarkedAt, @undoDeskId, @now, @checkedOutAt, @day)
     ON CONFLICT (participation_id, session_id) DO UPDATE SET
       status = excluded.status, attendees = excluded.attendees, marked_at = excluded.marked_at,
       desk_id = excluded.desk_id, method = excluded.method, undo_status = excluded.undo_status,
       undo_attendees = excluded.undo_attendees, undo_marked_at = excluded.undo_marked_at,
       undo_desk_id = excluded.undo_desk_id, updated_at = excluded.updated_at,
       checked_out_at = excluded.checked_out_at, day = excluded.day`
  )
  const enqueue = sqlite.prepare(
    `INSERT INTO outbox (op_id, kind, provider, session_id, participation_id, payload, state, desk_id, created_at, updated_at)
     VALUES (@opId, @kind, @provider, @sessionId, @participationId, @payload, 'pending', @deskId, @now, @now)`
  )
  const audit = sqlite.prepare(
    `INSERT INTO audit_log (at, desk_id, action, session_id, participation_id, op_id, details)
     VALUES (@now, @deskId, @action, @sessionId, @participationId, @opId, @details)`
  )

  /** Checks that the person is on an open session's roster; returns what the rules need. */
  function target(sessionId: number, participationId: number) {
    const session = sessions.require(sessionId)
    if (session.status === 'CANCELLED') throw DeskError.because('refused', { reason: 'session_cancelled', params: { title: session.title } })
    const person = roster.member(session.id, session.scheduleId, participationId)
    if (!person) throw DeskError.because('not_found', { reason: 'not_on_roster', params: {} })
    return { session, person }
  }

  /**
   * Commits one mark. `undo` restores the previous state instead of pushing a new one. A mark that
   * changes nothing (a double tap) is not recorded again.
   */
  const commit = sqlite.transaction(
    (
      sessionId: number,
      participationId: number,
      next: Mark | 'undo',
      action: string,
      method: 'manual' | 'scan' | 'paper',
      /** False when another operation carries the mark to the booking system (a Plandocket walk-in). */
      send = true,
      /** A mark entered from a paper sheet: made at the time written on the paper, not now. */
      writtenAt: number | null = null,
      /** A mark another desk made (a LAN member): its desk, and its operation id carried on as this desk's. */
      origin: { deskId: string; opId: string } | null = null
    ): RosterRow => {
      const { session, person } = target(sessionId, participationId)
      // A walk-in the booking system cannot take (Wix Bookings) is marked on this desk only.
      const staysHere = person.isWalkIn === 1 && sessionRules(session).walkIns === 'desk_only'
      const now = ctx.now()
      const markTime = writtenAt ?? now
      const today = dayIn(markTime, session.timeZone)
      const before: CurrentRow = current.get(participationId, sessionId) ?? NOTHING
      // A multi-day session is checked in daily: yesterday's arrival does not make today's a repeat.
      const beforeDay = before.day ?? (before.markedAt === null ? null : dayIn(before.markedAt, session.timeZone))
      const earlierDay = before.status !== 'NOT_SET' && beforeDay !== null && beforeDay < today && spansDays(session)
      let row: Omit<CurrentRow, 'day'>
      if (next === 'undo') {
        if (before.undoStatus === null) throw DeskError.because('refused', { reason: 'nothing_to_undo', params: {} })
        row = {
          status: before.undoStatus,
          attendees: before.undoAttendees ?? 0,
          markedAt: before.undoMarkedAt,
          deskId: before.undoDeskId,
          undoStatus: null,
          undoAttendees: null,
          undoMarkedAt: null,
          undoDeskId: null,
          checkedOutAt: null
        }
      } else {
        // The same mark again (a double tap) is not recorded twice; back inside after a check-out is new.
        // Another desk's mark the member overrules with the same count is still the member's mark now (desk, time).
        const sameDesk = !origin || before.deskId === origin.deskId
        if (!earlierDay && sameDesk && before.status === next.status && before.attendees === next.attendees && before.checkedOutAt === null) {
          return roster.row(session.id, participationId)
        }
        row = {
          ...next,
          markedAt: markTime,
          deskId: origin?.deskId ?? ctx.deskId,
          undoStatus: before.status,
          undoAttendees: before.attendees,
          undoMarkedAt: before.markedAt,
          undoDeskId: before.deskId,
          checkedOutAt: null
        }
      }
      const day = row.markedAt === null ? null : next === 'undo' ? dayIn(row.markedAt, session.timeZone) : today
      upsert.run({ participationId, sessionId: session.id, method, now, ...row, day })
      const reentry = next !== 'undo' && before.status === 'ATTENDED' && before.checkedOutAt !== null && !earlierDay
      const opId = staysHere || !send ? null : (origin?.opId ?? ctx.newId())
      if (opId) {
        enqueue.run({
          opId,
          kind: 'attendance.set',
          provider: session.provider,
          sessionId: session.id,
          participationId,
          deskId: origin?.deskId ?? ctx.deskId,
          now,
          // The intent as the desk saw it; the sync engine turns it into provider calls.
          payload: JSON.stringify({
            status: row.status,
            attendees: row.attendees,
            markedAt: markTime,
            method,
            day: today,
            ...(reentry ? { reentry: true } : {}),
            // A hub audits a member's undo as an undo, not as the mark it restores.
            ...(next === 'undo' ? { undo: true } : {}),
            previous: { status: earlierDay ? 'NOT_SET' : before.status, attendees: earlierDay ? 0 : before.attendees }
          })
        })
      }
      audit.run({
        now,
        deskId: origin?.deskId ?? ctx.deskId,
        action: reentry ? 'reentry' : action,
        sessionId: session.id,
        participationId,
        opId,
        details: JSON.stringify({
          from: { status: before.status, attendees: before.attendees },
          to: { status: row.status, attendees: row.attendees },
          method,
          ...(writtenAt !== null && !origin ? { fromPaper: true, writtenAt } : {}),
          ...(origin ? { fromDesk: origin.deskId, madeAt: writtenAt } : {}),
          ...(staysHere ? { localOnly: 'bookings_walk_in' } : {}),
          ...(earlierDay ? { day: today, earlierDay: beforeDay } : {})
        })
      })
      return roster.row(session.id, participationId)
    }
  )

  const setCheckedOut = sqlite.prepare(
    `UPDATE attendance SET checked_out_at = @now, undo_status = status, undo_attendees = attendees, undo_marked_at = marked_at,
       undo_desk_id = desk_id, updated_at = @now WHERE participation_id = @participationId AND session_id = @sessionId`
  )
  /**
   * The person leaves (conference sessions, venues, day passes); a check-in later is re-entry.
   * Plandocket records it (`action: check_out`); Wix and local-only keep it on the desk, in the
   * audit log and the export.
   */
  const checkOut = sqlite.transaction((sessionId: number, participationId: number, method: 'manual' | 'scan' | 'paper', origin: { deskId: string; opId: string; at: number } | null = null): RosterRow => {
    const { session, person } = target(sessionId, participationId)
    const now = origin?.at ?? ctx.now()
    const before = current.get(participationId, sessionId) ?? NOTHING
    const beforeDay = before.day ?? (before.markedAt === null ? null : dayIn(before.markedAt, session.timeZone))
    const inside = before.status === 'ATTENDED' && before.checkedOutAt === null && !(spansDays(session) && beforeDay !== null && beforeDay < dayIn(now, session.timeZone))
    if (!inside) {
      throw DeskError.because('refused', { reason: 'not_inside', params: { name: person.name } })
    }
    // Undo of a check-out puts them back inside (and, where the service records check-outs, opens a new check-in).
    setCheckedOut.run({ now, participationId, sessionId: session.id })
    const opId = traitsOf(session.provider).sendsCheckOut ? (origin?.opId ?? ctx.newId()) : null
    const deskId = origin?.deskId ?? ctx.deskId
    if (opId) {
      enqueue.run({
        opId,
        kind: 'attendance.checkout',
        provider: session.provider,
        sessionId: session.id,
        participationId,
        deskId,
        now,
        payload: JSON.stringify({ status: 'ATTENDED', attendees: before.attendees, markedAt: now, method, checkOut: true })
      })
    }
    audit.run({
      now,
      deskId,
      action: 'check_out',
      sessionId: session.id,
      participationId,
      opId: opId ?? origin?.opId ?? null,
      details: JSON.stringify({ method, ...(origin ? { fromDesk: origin.deskId, madeAt: origin.at } : {}) })
    })
    return roster.row(session.id, participationId)
  })

  const insertWalkIn = sqlite.prepare(
    `INSERT INTO participations (provider, provider_id, session_id, name, sort_name, email, phone, search_codes, party_size,
       status, is_walk_in, created_at, updated_at)
     VALUES (@provider, @providerId, @sessionId, @name, @sortName, @email, @phone, @searchCodes, @partySize, 'CONFIRMED', 1, @now, @now)`
  )
  const setConfirmed = sqlite.prepare(`UPDATE participations SET status = 'CONFIRMED', updated_at = ? WHERE id = ?`)
  const unmarked = (scheduleId: string | null) =>
    sqlite.prepare<{ sessionId: number; scheduleId: string | null }, { id: number }>(
      `SELECT p.id FROM participations p
       LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = @sessionId
       WHERE ${scheduleId ? '(p.session_id = @sessionId OR p.schedule_id = @scheduleId)' : 'p.session_id = @sessionId'}
         AND p.status <> 'CANCELLED' AND p.removed_at IS NULL AND (a.status IS NULL OR a.status = 'NOT_SET')
       ORDER BY p.sort_name, p.id`
    )
  const unmarkedOwn = unmarked(null)
  const unmarkedCourse = unmarked('course')

  /** An operation for the booking system that is not an attendance mark, with its audit entry. */
  function record(
    kind: 'participation.create' | 'participation.confirm',
    action: string,
    session: { id: number; provider: string },
    participationId: number,
    payload: object,
    /** Made at a LAN member: its desk, and its operation id carried on as this desk's. */
    origin: { deskId: string; opId: string } | null = null
  ) {
    const now = ctx.now()
    const opId = origin?.opId ?? ctx.newId()
    const deskId = origin?.deskId ?? ctx.deskId
    enqueue.run({ opId, kind, provider: session.provider, sessionId: session.id, participationId, deskId, now, payload: JSON.stringify(payload) })
    audit.run({ now, deskId, action, sessionId: session.id, participationId, opId, details: JSON.stringify(payload) })
  }
  const opParticipation = sqlite.prepare<[string], { participationId: number | null }>(`SELECT participation_id AS participationId FROM outbox WHERE op_id = ?`)
  const byProviderId = sqlite.prepare<[string, string], { id: number }>(`SELECT id FROM participations WHERE provider = ? AND provider_id = ?`)

  const walkIn = sqlite.transaction(
    (
      input: { sessionId: number; name: string; email: string | null; phone: string | null; partySize: number; checkIn: boolean },
      /** A walk-in a LAN member added: its desk, operation id, its own id for the person, and when it checked them in. */
      origin: { deskId: string; opId: string; providerId: string; markedAt: number } | null = null
    ): RosterRow => {
      const session = sessions.require(input.sessionId)
      if (origin) {
        // Sent again (its answer was lost): the person added the first time, not a second one.
        const known = opParticipation.get(origin.opId)?.participationId ?? byProviderId.get(session.provider, origin.providerId)?.id
        if (known) return roster.row(session.id, known)
      }
      if (session.status === 'CANCELLED') throw DeskError.because('refused', { reason: 'session_cancelled', params: { title: session.title } })
      const emailFor = walkInEmailRequiredBy(session)
      if (emailFor && !input.email) {
        // The service refuses a contact without one (at a LAN member: the hub's): say so now, before anything is recorded or sent.
        throw DeskError.because('invalid_input', { reason: 'email_required', params: { service: emailFor } }, [
          { path: 'email', problem: 'required', limit: null, message: 'required by the booking system' }
        ])
      }
      const now = ctx.now()
      const participationId = Number(
        insertWalkIn.run({
          provider: session.provider,
          // Until the booking system answers with its own id (local-only walk-ins keep this one).
          providerId: origin?.providerId ?? `walk-in:${ctx.newId()}`,
          sessionId: session.id,
          name: input.name,
          sortName: foldText(input.name),
          email: input.email,
          phone: input.phone,
          searchCodes: buildSearchCodes([], input.phone),
          partySize: input.partySize,
          now
        }).lastInsertRowid
      )
      // One operation creates, confirms and checks in where the service allows, so a refusal is one item, not two.
      const together = traitsOf(session.provider).walkInChecksInTogether && input.checkIn
      if (sessionRules(session).walkIns === 'desk_only') {
        // Kept on this desk (counted, exported, in the audit log), never queued: nothing to send.
        const details = { name: input.name, partySize: input.partySize, localOnly: 'bookings_walk_in' }
        audit.run({ now, deskId: origin?.deskId ?? ctx.deskId, action: 'walk_in', sessionId: session.id, participationId, opId: null, details: JSON.stringify(details) })
      } else {
        record(
          'participation.create',
          'walk_in',
          session,
          participationId,
          {
            name: input.name,
            partySize: input.partySize,
            ...(together ? { checkIn: { attendees: input.partySize, method: 'manual', day: dayIn(now, session.timeZone), markedAt: origin?.markedAt ?? now } } : {})
          },
          origin
        )
      }
      if (!input.checkIn) return roster.row(session.id, participationId)
      return commit(
        session.id,
        participationId,
        { status: 'ATTENDED', attendees: input.partySize },
        'check_in',
        'manual',
        !together,
        origin?.markedAt ?? null,
        origin ? { deskId: origin.deskId, opId: `${origin.opId}.in` } : null
      )
    }
  )

  const confirm = sqlite.transaction((sessionId: number, participationId: number, origin: { deskId: string; opId: string } | null = null): RosterRow => {
    const { session, person } = target(sessionId, participationId)
    if (person.status === 'CONFIRMED') return roster.row(session.id, participationId)
    if (person.status === 'CANCELLED') throw DeskError.because('refused', { reason: 'booking_cancelled', params: { name: person.name } })
    if (sessionRules(session).confirm === 'wix_bookings') {
      throw DeskError.because('refused', { reason: 'confirm_in_wix_bookings', params: { name: person.name } })
    }
    setConfirmed.run(ctx.now(), participationId)
    record('participation.confirm', 'confirm', session, participationId, { from: person.status }, origin)
    return roster.row(session.id, participationId)
  })

  /** Everyone on the roster without a mark becomes a no-show, each with its own synced operation. */
  const close = sqlite.transaction((sessionId: number): { marked: number } => {
    const session = sessions.require(sessionId)
    const rows = (session.scheduleId ? unmarkedCourse : unmarkedOwn).all({ sessionId: session.id, scheduleId: session.scheduleId })
    for (const { id } of rows) commit(session.id, id, { status: 'NOT_ATTENDED', attendees: 0 }, 'no_show', 'manual')
    const now = ctx.now()
    audit.run({ now, deskId: ctx.deskId, action: 'session.close', sessionId: session.id, participationId: null, opId: null, details: JSON.stringify({ noShows: rows.length }) })
    return { marked: rows.length }
  })

  const opSeen = sqlite.prepare<[string], { one: number }>(`SELECT 1 AS one FROM outbox WHERE op_id = ?`)

  /**
   * A mark a LAN member made, applied here as if made at this desk (issue 18): the member's desk id
   * and scan time stay on it, and its operation id becomes this desk's outbox operation, which
   * forwards it to the booking system (or settles it in local-only mode). That id makes a resent
   * mark a no-op. A mark another desk made here, newer than this one or unseen by the member when
   * it marked, is not overwritten: the answer names it (`conflict`), unless the member overrules.
   */
  const fromMember = sqlite.transaction(
    (input: {
      opId: string
      deskId: string
      sessionId: number
      participationId: number
      status: AttendanceStatus
      attendees: number
      markedAt: number
      method: 'manual' | 'scan' | 'paper'
      previous: Mark | null
      force: boolean
      /** The member undid its last mark (restoring `status`): audited as an undo. */
      undo?: boolean
      /** The person left: checked out here too (a resent check-out of someone already out changes nothing). */
      checkOut?: boolean
    }): { result: 'done' | 'duplicate' } | { result: 'conflict'; mark: { status: AttendanceStatus; attendees: number; markedAt: number; deskId: string | null } } => {
      if (opSeen.get(input.opId)) return { result: 'duplicate' }
      const { session, person } = target(input.sessionId, input.participationId)
      const before: CurrentRow = current.get(input.participationId, session.id) ?? NOTHING
      if (input.checkOut) {
        if (before.status === 'ATTENDED' && before.checkedOutAt !== null) return { result: 'duplicate' }
        checkOut(session.id, input.participationId, input.method, { deskId: input.deskId, opId: input.opId, at: input.markedAt })
        return { result: 'done' }
      }
      const other = before.deskId !== input.deskId && before.markedAt !== null && before.status !== 'NOT_SET'
      const unseen = input.previous === null || input.previous.status !== before.status || input.previous.attendees !== before.attendees
      if (other && !input.force && (before.markedAt! > input.markedAt || unseen)) {
        return { result: 'conflict', mark: { status: before.status, attendees: before.attendees, markedAt: before.markedAt!, deskId: before.deskId } }
      }
      if (input.status === 'ATTENDED' && person.status === 'CANCELLED') throw DeskError.because('refused', { reason: 'booking_cancelled', params: { name: person.name } })
      const action = input.undo ? 'undo' : input.status === 'NOT_ATTENDED' ? 'no_show' : input.status === 'NOT_SET' ? 'undo' : 'check_in'
      commit(session.id, input.participationId, { status: input.status, attendees: input.attendees }, action, input.method, true, input.markedAt, {
        deskId: input.deskId,
        opId: input.opId
      })
      return { result: 'done' }
    }
  )

  return {
    fromMember: (input: Parameters<typeof fromMember>[0]) => fromMember.immediate(input),
    walkIn: (input: Parameters<typeof walkIn>[0], origin: Parameters<typeof walkIn>[1] = null) => walkIn.immediate(input, origin),
    confirm: (input: { sessionId: number; participationId: number }, origin: { deskId: string; opId: string } | null = null) =>
      confirm.immediate(input.sessionId, input.participationId, origin),
    closeSession: (input: { sessionId: number }) => close.immediate(input.sessionId),
    checkIn(input: { sessionId: number; participationId: number; attendees: number; allowOverParty: boolean; method: 'manual' | 'scan' }): RosterRow {
      const { person } = target(input.sessionId, input.participationId)
      if (person.status === 'CANCELLED') throw DeskError.because('refused', { reason: 'booking_cancelled', params: { name: person.name } })
      if (input.attendees > person.partySize && !input.allowOverParty) {
        throw DeskError.because('refused', { reason: 'over_party', params: { name: person.name, booked: person.partySize, attendees: input.attendees } })
      }
      return commit.immediate(input.sessionId, input.participationId, { status: 'ATTENDED', attendees: input.attendees }, 'check_in', input.method)
    },
    noShow(input: { sessionId: number; participationId: number }): RosterRow {
      return commit.immediate(input.sessionId, input.participationId, { status: 'NOT_ATTENDED', attendees: 0 }, 'no_show', 'manual')
    },
    checkOut(input: { sessionId: number; participationId: number; method: 'manual' | 'scan' }): RosterRow {
      return checkOut.immediate(input.sessionId, input.participationId, input.method)
    },
    /** A check-in ticked on a paper sheet during an outage, at the time written beside it. */
    fromPaper(input: { sessionId: number; participationId: number; attendees: number; writtenAt: number }): RosterRow {
      return commit.immediate(input.sessionId, input.participationId, { status: 'ATTENDED', attendees: input.attendees }, 'check_in', 'paper', true, input.writtenAt)
    },
    undo(input: { sessionId: number; participationId: number }): RosterRow {
      return commit.immediate(input.sessionId, input.participationId, 'undo', 'undo', 'manual')
    }
  }
}

export type AttendanceService = ReturnType<typeof createAttendanceService>
