/**
 * Attendance history at the desk: a person's visits and no-shows (in the same course or class
 * series, and overall), and per series the no-show rate of each session and who keeps missing.
 * Computed from the local replica on demand — live rows plus person_history, where marks and
 * bookings go when old sessions leave the replica (migration 0012's triggers) — so the figures
 * keep their counts after pruning and need no bookkeeping on any write path.
 *
 * What counts:
 * - a visit: a session the person was checked in to (any provider, the desk's or another station's);
 * - a no-show: marked as a no-show, or booked (confirmed, still on the roster) for a session that
 *   has ended and where attendance was taken (someone was marked) without being checked in. A
 *   session nobody marked says nothing: the desk may simply not have been used that day;
 * - the session on screen is never part of its own history ("first visit" means before today's).
 * Who is the same person: history/identity.ts.
 */
import { DateTime } from 'luxon'
import { stringify } from 'csv-stringify/sync'
import type { CoreContext } from '../core/context'
import { neutraliseFormula } from '../export'
import type { HistoryFigures, PersonHistory, SeriesStats } from '../../shared/contract'
import type { ExportLanguage } from '../../shared/export-columns'

const DAY = 86_400_000
/** "Visits in the last 90 days" and "no-shows in the last 5 booked sessions" (the terms). */
export const RECENT_DAYS = 90
export const LAST_BOOKED = 5
/** Repeated no-shows: at least this many in the period. */
export const REPEATED = 2

interface FactRow {
  provider: string
  sessionProviderId: string
  sessionId: number | null
  seriesKey: string
  title: string
  startsAt: number
  endsAt: number
  status: 'NOT_SET' | 'ATTENDED' | 'NOT_ATTENDED'
  booking: string
  removedAt: number | null
  taken: number
}

interface Fact {
  key: string
  seriesKey: string
  title: string
  startsAt: number
  outcome: 'attended' | 'missed'
}

// "Attendance was taken": two index seeks (IN, not <>, so a big session with no marks yet is
// not walked through its unmarked people).
const FACT_COLUMNS = (p: string) => `s.provider, s.provider_id AS sessionProviderId, s.id AS sessionId, s.series_key AS seriesKey,
  coalesce(s.schedule_name, s.title) AS title, s.starts_at AS startsAt, s.ends_at AS endsAt, coalesce(a.status, 'NOT_SET') AS status,
  ${p}.status AS booking, ${p}.removed_at AS removedAt,
  EXISTS (SELECT 1 FROM attendance t WHERE t.session_id = s.id AND t.status IN ('ATTENDED', 'NOT_ATTENDED')) AS taken`

export function createPersonHistory(ctx: CoreContext) {
  const sqlite = ctx.db.$client
  const keyOf = sqlite.prepare<[number], { key: string | null }>(`SELECT person_key AS key FROM participations WHERE id = ?`)
  // Three index lookups per person (their bookings of one session, of a course, and what was
  // kept of deleted ones): the cost follows the person's own history, not the replica's size.
  const facts = sqlite.prepare<{ key: string }, FactRow>(
    `SELECT ${FACT_COLUMNS('p')}
     FROM participations p INDEXED BY participations_person
     JOIN sessions s ON s.id = p.session_id
     LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = s.id
     WHERE p.person_key = @key AND s.status = 'CONFIRMED'
     UNION ALL
     SELECT ${FACT_COLUMNS('p')}
     FROM participations p INDEXED BY participations_person
     JOIN sessions s ON s.schedule_id = p.schedule_id AND s.provider = p.provider
     LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = s.id
     WHERE p.person_key = @key AND p.schedule_id IS NOT NULL AND s.status = 'CONFIRMED'
     UNION ALL
     SELECT h.provider, h.session_provider_id, NULL, h.series_key, h.series_name, h.starts_at, h.ends_at,
       CASE h.outcome WHEN 'BOOKED' THEN 'NOT_SET' ELSE h.outcome END, 'CONFIRMED', NULL,
       EXISTS (SELECT 1 FROM person_history t WHERE t.provider = h.provider AND t.session_provider_id = h.session_provider_id AND t.outcome IN ('ATTENDED', 'NOT_ATTENDED'))
     FROM person_history h WHERE h.person_key = @key`
  )
  const sessionOf = sqlite.prepare<[number], { provider: string; providerId: string; seriesKey: string; title: string; scheduleName: string | null; scheduleId: string | null }>(
    `SELECT provider, provider_id AS providerId, series_key AS seriesKey, title, schedule_name AS scheduleName, schedule_id AS scheduleId FROM sessions WHERE id = ?`
  )

  /** One person's decided sessions (attended or missed), newest first, one per session. */
  function factsOf(key: string, now: number): Fact[] {
    const bySession = new Map<string, Fact>()
    for (const r of facts.all({ key })) {
      let outcome: Fact['outcome'] | null = null
      if (r.status === 'ATTENDED') outcome = 'attended'
      else if (r.status === 'NOT_ATTENDED') outcome = 'missed'
      else if (r.endsAt <= now && r.taken && r.booking === 'CONFIRMED' && r.removedAt === null) outcome = 'missed'
      if (!outcome) continue
      const id = `${r.provider}\u0000${r.sessionProviderId}`
      const before = bySession.get(id)
      // Booked twice for one session (two bookings, or a live row and its kept copy): checked in once is a visit.
      if (before && before.outcome === 'attended') continue
      bySession.set(id, { key: id, seriesKey: r.seriesKey, title: r.title, startsAt: r.startsAt, outcome })
    }
    return [...bySession.values()].sort((a, b) => b.startsAt - a.startsAt)
  }

  function figures(list: Fact[], now: number): HistoryFigures {
    const visits = list.filter((f) => f.outcome === 'attended')
    const decided = list.filter((f) => f.startsAt <= now).slice(0, LAST_BOOKED)
    return {
      visits: visits.length,
      visitsRecent: visits.filter((f) => f.startsAt >= now - RECENT_DAYS * DAY).length,
      lastVisitAt: visits[0]?.startsAt ?? null,
      noShowsOfLast: decided.filter((f) => f.outcome === 'missed').length,
      lastBooked: decided.length,
      noShows: list.filter((f) => f.outcome === 'missed').length
    }
  }

  function personHistory(participationId: number, sessionId: number, detailed: boolean): PersonHistory | null {
    const key = keyOf.get(participationId)?.key
    const session = sessionOf.get(sessionId)
    if (!key || !session) return null
    const now = ctx.now()
    const current = `${session.provider}\u0000${session.providerId}`
    const all = factsOf(key, now).filter((f) => f.key !== current)
    const series = all.filter((f) => f.seriesKey === session.seriesKey)
    return {
      participationId,
      firstVisit: all.every((f) => f.outcome !== 'attended'),
      seriesName: session.scheduleName ?? session.title,
      series: figures(series, now),
      overall: figures(all, now),
      recent: detailed ? all.slice(0, 12).map((f) => ({ title: f.title, startsAt: f.startsAt, attended: f.outcome === 'attended', sameSeries: f.seriesKey === session.seriesKey })) : []
    }
  }

  // --- per series -------------------------------------------------------------------------------
  const seriesSessions = sqlite.prepare<{ seriesKey: string; from: number; to: number }, { id: number; provider: string; providerId: string; title: string; startsAt: number; endsAt: number; scheduleId: string | null }>(
    `SELECT id, provider, provider_id AS providerId, title, starts_at AS startsAt, ends_at AS endsAt, schedule_id AS scheduleId
     FROM sessions INDEXED BY sessions_series
     WHERE series_key = @seriesKey AND starts_at >= @from AND starts_at < @to AND status = 'CONFIRMED' ORDER BY starts_at`
  )
  type Booked = { key: string | null; name: string; email: string | null; phone: string | null; status: string }
  const bookedIn = sqlite.prepare<{ sessionId: number; scheduleId: string | null; provider: string }, Booked>(
    `SELECT p.person_key AS key, p.name, p.email, p.phone, coalesce(a.status, 'NOT_SET') AS status
     FROM participations p LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = @sessionId
     WHERE p.session_id = @sessionId AND p.status = 'CONFIRMED' AND p.removed_at IS NULL
     UNION ALL
     SELECT p.person_key, p.name, p.email, p.phone, coalesce(a.status, 'NOT_SET')
     FROM participations p LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = @sessionId
     WHERE @scheduleId IS NOT NULL AND p.schedule_id = @scheduleId AND p.provider = @provider AND p.status = 'CONFIRMED' AND p.removed_at IS NULL`
  )
  const keptSessions = sqlite.prepare<{ seriesKey: string; from: number; to: number }, { provider: string; providerId: string; title: string; startsAt: number; endsAt: number; key: string; name: string; email: string | null; phone: string | null; status: string }>(
    `SELECT provider, session_provider_id AS providerId, series_name AS title, starts_at AS startsAt, ends_at AS endsAt, person_key AS key,
       name, email, phone, CASE outcome WHEN 'BOOKED' THEN 'NOT_SET' ELSE outcome END AS status
     FROM person_history INDEXED BY person_history_series WHERE series_key = @seriesKey AND starts_at >= @from AND starts_at < @to`
  )

  function seriesStats(sessionId: number, days: number): SeriesStats {
    const session = sessionOf.get(sessionId)
    if (!session) return { seriesName: '', days, sessions: [], repeated: [] }
    const now = ctx.now()
    const range = { seriesKey: session.seriesKey, from: now - days * DAY, to: now }
    const groups = new Map<string, { sessionId: number | null; title: string; startsAt: number; endsAt: number; rows: Booked[] }>()
    for (const s of seriesSessions.all(range)) {
      groups.set(`${s.provider}\u0000${s.providerId}`, { sessionId: s.id, title: s.title, startsAt: s.startsAt, endsAt: s.endsAt, rows: bookedIn.all({ sessionId: s.id, scheduleId: s.scheduleId, provider: s.provider }) })
    }
    // Sessions that have left the replica: what was kept of them (a live one is never counted twice).
    for (const k of keptSessions.all(range)) {
      const id = `${k.provider}\u0000${k.providerId}`
      let group = groups.get(id)
      if (group && group.sessionId !== null) continue
      if (!group) groups.set(id, (group = { sessionId: null, title: k.title, startsAt: k.startsAt, endsAt: k.endsAt, rows: [] }))
      group.rows.push(k)
    }
    const repeated = new Map<string, Booked & { noShows: number; booked: number; lastNoShowAt: number; lastVisitAt: number | null }>()
    const sessions = [...groups.values()]
      .sort((a, b) => a.startsAt - b.startsAt)
      .map((g) => {
        const taken = g.rows.some((r) => r.status !== 'NOT_SET')
        const ended = g.endsAt <= now
        let attended = 0
        let noShows = 0
        for (const r of g.rows) {
          const missed = r.status === 'NOT_ATTENDED' || (r.status === 'NOT_SET' && taken && ended)
          if (r.status === 'ATTENDED') attended++
          if (missed) noShows++
          if (!r.key || (!missed && r.status !== 'ATTENDED')) continue
          const person = repeated.get(r.key) ?? { ...r, noShows: 0, booked: 0, lastNoShowAt: 0, lastVisitAt: null }
          person.booked++
          if (missed) {
            person.noShows++
            person.lastNoShowAt = Math.max(person.lastNoShowAt, g.startsAt)
          } else person.lastVisitAt = Math.max(person.lastVisitAt ?? 0, g.startsAt)
          repeated.set(r.key, person)
        }
        const decided = attended + noShows
        return {
          sessionId: g.sessionId,
          title: g.title,
          startsAt: g.startsAt,
          booked: g.rows.length,
          attended,
          noShows,
          // A session nobody marked has no rate (unknown, not 0 %).
          noShowRate: taken && ended && decided > 0 ? noShows / decided : null
        }
      })
    const list = [...repeated.values()]
      .filter((p) => p.noShows >= REPEATED)
      .sort((a, b) => b.noShows - a.noShows || b.lastNoShowAt - a.lastNoShowAt || a.name.localeCompare(b.name))
    return {
      seriesName: session.scheduleName ?? session.title,
      days,
      sessions,
      repeated: list.map((p) => ({ name: p.name, email: p.email, phone: p.phone, noShows: p.noShows, booked: p.booked, lastNoShowAt: p.lastNoShowAt, lastVisitAt: p.lastVisitAt }))
    }
  }

  const HEADERS: Record<ExportLanguage, string[]> = {
    en: ['Name', 'Email', 'Phone', 'No-shows', 'Booked sessions', 'Last no-show', 'Last visit'],
    de: ['Name', 'E-Mail', 'Telefon', 'Nicht erschienen', 'Gebuchte Termine', 'Zuletzt nicht erschienen', 'Letzter Besuch']
  }

  return {
    person: (participationId: number, sessionId: number) => personHistory(participationId, sessionId, true),
    people: (participationIds: number[], sessionId: number) => participationIds.map((id) => personHistory(id, sessionId, false)),
    series: seriesStats,
    /** The repeated no-shows of a series as CSV (Excel-ready like the roster export: BOM, CRLF, formulas neutralised). */
    noShowsCsv(sessionId: number, days: number, language: ExportLanguage, timeZone: string) {
      const stats = seriesStats(sessionId, days)
      const date = (ms: number | null) => (ms ? DateTime.fromMillis(ms, { zone: timeZone }).toFormat('yyyy-MM-dd') : '')
      const cell = (v: string | null) => neutraliseFormula(v ?? '')
      const csv =
        '\uFEFF' +
        stringify([HEADERS[language], ...stats.repeated.map((p) => [cell(p.name), cell(p.email), cell(p.phone), String(p.noShows), String(p.booked), date(p.lastNoShowAt), date(p.lastVisitAt)])], {
          record_delimiter: '\r\n'
        })
      const slug = stats.seriesName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'series'
      return { fileName: `rollcall-no-shows-${slug}-${date(ctx.now())}.csv`, csv, rows: stats.repeated.length }
    }
  }
}

export type PersonHistoryService = ReturnType<typeof createPersonHistory>
