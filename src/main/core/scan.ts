/**
 * A barcode or QR scan at the desk: find the person by any code they carry (participation id,
 * external id, booking id, customer number, badge number) and check the whole booking in.
 * Candidates come from the search index; only an exact code match counts.
 */
import type { ScanOutcome } from '../../shared/contract'
import type { AttendanceService } from './attendance'
import type { CoreContext } from './context'
import { DeskError } from './errors'
import type { RosterService } from './roster'
import type { SessionService } from './sessions'
import { compactCode } from './text'

interface Candidate {
  id: number
  name: string
  status: string
  partySize: number
  sessionId: number | null
  scheduleId: string | null
  providerId: string
  externalId: string | null
  bookingId: string | null
  customerNumber: string | null
  badgeNumber: string | null
}

const CANDIDATE = `p.id, p.name, p.status, p.party_size AS partySize, p.session_id AS sessionId, p.schedule_id AS scheduleId,
  p.provider_id AS providerId, p.external_id AS externalId, p.booking_id AS bookingId, p.customer_number AS customerNumber,
  p.badge_number AS badgeNumber`

export function createScanner(ctx: CoreContext, sessions: SessionService, roster: RosterService, attendance: AttendanceService) {
  const sqlite = ctx.db.$client
  const byCode = sqlite.prepare<[string], Candidate>(
    `SELECT ${CANDIDATE} FROM participations p
     WHERE p.id IN (SELECT rowid FROM participation_search WHERE participation_search MATCH ?) AND p.removed_at IS NULL LIMIT 50`
  )
  const byId = sqlite.prepare<[number], Candidate>(`SELECT ${CANDIDATE} FROM participations p WHERE p.id = ? AND p.removed_at IS NULL`)
  type OtherSession = { id: number; title: string; startsAt: number; timeZone: string }
  const sessionOfSchedule = sqlite.prepare<[string, number], OtherSession>(
    `SELECT id, title, starts_at AS startsAt, time_zone AS timeZone FROM sessions WHERE schedule_id = ? ORDER BY abs(starts_at - ?) LIMIT 1`
  )
  const sessionById = sqlite.prepare<[number], OtherSession>(`SELECT id, title, starts_at AS startsAt, time_zone AS timeZone FROM sessions WHERE id = ?`)

  /** Everyone whose code is exactly `code` (separators and case ignored). */
  function find(code: string): Candidate[] {
    const wanted = compactCode(code)
    if (!wanted) return []
    // The index narrows to a few candidates (the compact code is indexed); equality decides.
    const exact = byCode
      .all(`search_codes : "${wanted.replace(/"/g, '""')}"`)
      .filter((c) => [c.providerId, c.externalId, c.bookingId, c.customerNumber, c.badgeNumber].some((x) => x !== null && compactCode(x) === wanted))
    // The desk's own participation number (printed on local badges) is a code too.
    const own = /^\d{1,15}$/.test(code.trim()) ? byId.get(Number(code.trim())) : undefined
    if (own && !exact.some((c) => c.id === own.id)) exact.push(own)
    return exact
  }

  return {
    scan(input: { sessionId: number; code: string; inside?: 'already' | 'check_out' }): ScanOutcome {
      const session = sessions.require(input.sessionId)
      const found = find(input.code)
      const mine = found.find((c) => c.sessionId === session.id || (session.scheduleId !== null && c.scheduleId === session.scheduleId))
      if (!mine) {
        const other = found[0]
        if (!other) {
          return { outcome: 'unknown', reason: 'scan_unknown', params: { code: input.code }, row: null, otherSession: null }
        }
        const where = other.sessionId !== null ? sessionById.get(other.sessionId) : sessionOfSchedule.get(other.scheduleId ?? '', session.startsAt)
        if (!where) {
          return {
            outcome: 'wrong_session',
            reason: 'scan_not_booked_here',
            params: { name: other.name },
            row: null,
            otherSession: null
          }
        }
        const otherSession = { id: where.id, title: where.title, startsAt: new Date(where.startsAt).toISOString(), timeZone: where.timeZone }
        return {
          outcome: 'wrong_session',
          reason: 'scan_wrong_session',
          params: { name: other.name, title: where.title, startsAt: otherSession.startsAt, timeZone: where.timeZone },
          row: null,
          otherSession
        }
      }
      const row = roster.row(session.id, mine.id)
      const inside = row.attendance.status === 'ATTENDED' && !row.attendance.earlierDay && row.attendance.checkedOutAt === null
      if (inside && input.inside === 'check_out') {
        // Venues and day passes: the same badge at the exit checks the person out.
        const out = attendance.checkOut({ sessionId: session.id, participationId: mine.id, method: 'scan' })
        return { outcome: 'checked_out', reason: 'scan_checked_out', params: { name: out.name }, row: out, otherSession: null }
      }
      if (inside) {
        return { outcome: 'already', reason: 'scan_already', params: { name: row.name }, row, otherSession: null }
      }
      try {
        const checked = attendance.checkIn({ sessionId: session.id, participationId: mine.id, attendees: mine.partySize, allowOverParty: false, method: 'scan' })
        return {
          outcome: 'checked_in',
          reason: 'scan_checked_in',
          params: { name: checked.name, partySize: mine.partySize },
          row: checked,
          otherSession: null
        }
      } catch (err) {
        if (err instanceof DeskError) {
          return { outcome: 'refused', ...err.detail, row, otherSession: null }
        }
        throw err
      }
    }
  }
}
