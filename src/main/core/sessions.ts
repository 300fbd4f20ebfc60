import { DateTime } from 'luxon'
import { LOCAL_PROVIDER, type Session, type SessionCounts } from '../../shared/contract'
import { DeskError } from './errors'
import { dayIn, spansDays } from './days'
import { schema } from '../db'
import type { CoreContext } from './context'
import { walkInEmailRequiredBy } from '../providers/registry'

type SessionRow = Pick<
  typeof schema.sessions.$inferSelect,
  'id' | 'provider' | 'providerId' | 'title' | 'startsAt' | 'endsAt' | 'timeZone' | 'capacity' | 'scheduleId' | 'kind' | 'status'
> & {
  /** The provider's own record of the session, as stored (JSON): only its provider reads inside (its session rules). */
  raw: string | null
}

/** Sessions longer than this are not looked for when listing a day (keeps the range scan short). */
const LONGEST_SESSION_MS = 31 * 24 * 3600 * 1000

interface PeopleCounts {
  participations: number
  expectedPeople: number
  pendingConfirmations: number
}

export function createSessionService(ctx: CoreContext) {
  const { $client: sqlite } = ctx.db

  const byId = sqlite.prepare<[number], SessionRow>(
    `SELECT id, provider, provider_id AS providerId, title, starts_at AS startsAt, ends_at AS endsAt,
            time_zone AS timeZone, capacity, schedule_id AS scheduleId, kind, status, raw
     FROM sessions WHERE id = ?`
  )
  const forRange = sqlite.prepare<[number, number, number], SessionRow>(
    `SELECT id, provider, provider_id AS providerId, title, starts_at AS startsAt, ends_at AS endsAt,
            time_zone AS timeZone, capacity, schedule_id AS scheduleId, kind, status, raw
     FROM sessions WHERE starts_at >= ? AND starts_at < ? AND ends_at > ?
     ORDER BY starts_at, title, id`
  )
  /** A multi-day session counts today's marks only (@today is null for a session within one day). */
  const TODAY = '(@today IS NULL OR a.day = @today)'
  /*
   * Counts over the session's roster: its own participations plus its course's (schedule's); a
   * participation is for one or the other, never both (participations_one_target). Read in two
   * parts so neither reads a roster's rows, which carry the provider's raw record (at 100,000
   * people that was ~100 MB and most of a desk's start-up): the people from the counts indexes,
   * the marks from the session's attendance rows, each checked against the roster through the
   * small roster index. Same figures as one LEFT JOIN of roster and marks.
   */
  const peopleSql = (index: string, column: string) => `
    SELECT
      count(CASE WHEN status <> 'CANCELLED' THEN 1 END) AS participations,
      coalesce(sum(CASE WHEN status <> 'CANCELLED' THEN party_size END), 0) AS expectedPeople,
      count(CASE WHEN status = 'PENDING_CONFIRMATION' THEN 1 END) AS pendingConfirmations
    FROM participations INDEXED BY ${index} WHERE ${column} = ? AND removed_at IS NULL`
  const ownPeople = sqlite.prepare<[number], PeopleCounts>(peopleSql('participations_session_counts', 'session_id'))
  const coursePeople = sqlite.prepare<[string], PeopleCounts>(peopleSql('participations_schedule_counts', 'schedule_id'))
  const marks = sqlite.prepare(`
    SELECT
      coalesce(sum(CASE WHEN a.status = 'ATTENDED' AND ${TODAY} THEN a.attendees END), 0) AS arrivedPeople,
      count(CASE WHEN a.status = 'ATTENDED' AND ${TODAY} THEN 1 END) AS checkedIn,
      coalesce(sum(CASE WHEN a.status = 'ATTENDED' AND a.checked_out_at IS NULL AND ${TODAY} THEN a.attendees END), 0) AS insideNow,
      count(CASE WHEN a.status = 'NOT_ATTENDED' AND ${TODAY} THEN 1 END) AS noShows
    FROM attendance a INDEXED BY attendance_session_status
    CROSS JOIN participations p INDEXED BY participations_roster_by_id ON p.id = a.participation_id
    WHERE a.session_id = @sessionId AND p.removed_at IS NULL
      AND (p.session_id = @sessionId OR (@scheduleId IS NOT NULL AND p.schedule_id = @scheduleId))`)

  function counts(session: SessionRow): SessionCounts {
    const today = spansDays(session) ? dayIn(ctx.now(), session.timeZone) : null
    const people = ownPeople.get(session.id)!
    const course = session.scheduleId !== null ? coursePeople.get(session.scheduleId)! : null
    const marked = marks.get({ sessionId: session.id, scheduleId: session.scheduleId, today }) as Omit<SessionCounts, keyof PeopleCounts | 'capacity'>
    return {
      participations: people.participations + (course?.participations ?? 0),
      expectedPeople: people.expectedPeople + (course?.expectedPeople ?? 0),
      ...marked,
      pendingConfirmations: people.pendingConfirmations + (course?.pendingConfirmations ?? 0),
      capacity: session.capacity
    }
  }

  function toSession(row: SessionRow): Session {
    return {
      id: row.id,
      provider: row.provider,
      providerId: row.providerId,
      title: row.title,
      startsAt: new Date(row.startsAt).toISOString(),
      endsAt: new Date(row.endsAt).toISOString(),
      timeZone: row.timeZone,
      capacity: row.capacity,
      kind: row.kind,
      status: row.status,
      scheduleId: row.scheduleId,
      walkInNeedsEmail: walkInEmailRequiredBy(row) !== null,
      counts: counts(row)
    }
  }

  function require(sessionId: number): SessionRow {
    const row = byId.get(sessionId)
    if (!row) throw DeskError.because('not_found', { reason: 'session_not_found', params: {} })
    return row
  }

  return {
    require,
    counts,
    get: (sessionId: number): Session => toSession(require(sessionId)),

    /** Sessions that overlap the calendar day `date` as seen in `timeZone` (the desk's zone). */
    forDay(date: string, timeZone: string): Session[] {
      const start = DateTime.fromISO(date, { zone: timeZone }).startOf('day')
      if (!start.isValid) throw DeskError.because('invalid_input', { reason: 'date_invalid', params: { date } })
      const from = start.toMillis()
      const to = start.plus({ days: 1 }).toMillis()
      return forRange.all(from - LONGEST_SESSION_MS, to, from).map(toSession)
    },

    create(input: { title: string; startsAt: string; endsAt: string; timeZone: string; capacity: number | null }): Session {
      const now = ctx.now()
      const row = ctx.db
        .insert(schema.sessions)
        .values({
          provider: LOCAL_PROVIDER,
          providerId: `local:${ctx.newId()}`,
          title: input.title.trim(),
          startsAt: Date.parse(input.startsAt),
          endsAt: Date.parse(input.endsAt),
          timeZone: input.timeZone,
          capacity: input.capacity,
          kind: 'DEFAULT',
          createdAt: now,
          updatedAt: now
        })
        .returning({ id: schema.sessions.id })
        .get()
      ctx.db
        .insert(schema.auditLog)
        .values({ at: now, deskId: ctx.deskId, action: 'session.create', sessionId: row.id, details: { title: input.title } })
        .run()
      return toSession(require(row.id))
    }
  }
}

export type SessionService = ReturnType<typeof createSessionService>
