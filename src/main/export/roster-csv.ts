/**
 * Roster export as CSV that Excel opens correctly: RFC 4180 quoting and CRLF, UTF-8 with a BOM,
 * times in each session's own zone, and cells that would start a formula neutralised.
 * csv-stringify (the `csv` project) does the quoting: a well-kept library beats hand-rolled escaping.
 */
import { stringify } from 'csv-stringify/sync'
import { DateTime } from 'luxon'
import { EXPORT_COLUMNS, type ExportColumn, type ExportFile } from '../../shared/contract'
import type { Db } from '../db'

/** Each exportable column: its header and how a row fills it (times in the session's zone). */
const COLUMNS: Record<ExportColumn, { header: string; cell: (r: ExportRow) => string }> = {
  session: { header: 'Session', cell: (r) => r.sessionTitle },
  sessionStart: { header: 'Session start', cell: (r) => local(r.startsAt, r.timeZone) },
  timeZone: { header: 'Time zone', cell: (r) => r.timeZone },
  name: { header: 'Name', cell: (r) => r.name },
  email: { header: 'Email', cell: (r) => r.email ?? '' },
  phone: { header: 'Phone', cell: (r) => r.phone ?? '' },
  partySize: { header: 'Party size', cell: (r) => String(r.partySize) },
  bookingStatus: { header: 'Booking status', cell: (r) => r.status },
  attendance: { header: 'Attendance', cell: (r) => ATTENDANCE_WORDS[r.aStatus ?? 'NOT_SET'] ?? '' },
  attendees: { header: 'Attendees', cell: (r) => String(r.attendees ?? 0) },
  checkedInAt: { header: 'Checked in at', cell: (r) => (r.markedAt !== null && r.aStatus === 'ATTENDED' ? local(r.markedAt, r.timeZone) : '') },
  checkedInBy: { header: 'Checked in by desk', cell: (r) => r.deskId ?? '' },
  walkIn: { header: 'Walk-in', cell: (r) => (r.isWalkIn ? 'yes' : '') },
  externalId: { header: 'External id', cell: (r) => r.externalId ?? '' }
}

/**
 * Wall-clock minute in a zone. Formatting builds a luxon DateTime, which costs ~10 µs: 100,000 rows
 * share a handful of session starts and check-in minutes, so each distinct one is formatted once.
 */
const localCache = new Map<string, string>()
function local(ms: number, zone: string): string {
  const key = `${Math.floor(ms / 60_000)}|${zone}`
  let text = localCache.get(key)
  if (text === undefined) {
    if (localCache.size > 50_000) localCache.clear()
    text = DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm')
    localCache.set(key, text)
  }
  return text
}

/** A leading = + - @ (or tab/CR) makes spreadsheets evaluate a cell: prefix a quote (OWASP's advice). */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

interface ExportRow {
  sessionTitle: string
  startsAt: number
  timeZone: string
  name: string
  email: string | null
  phone: string | null
  partySize: number
  status: string
  aStatus: string | null
  attendees: number | null
  markedAt: number | null
  deskId: string | null
  isWalkIn: number
  externalId: string | null
}

const ATTENDANCE_WORDS: Record<string, string> = { ATTENDED: 'Checked in', NOT_ATTENDED: 'No-show', NOT_SET: '' }

const SELECT = `
  SELECT s.title AS sessionTitle, s.starts_at AS startsAt, s.time_zone AS timeZone,
         p.name, p.email, p.phone, p.party_size AS partySize, p.status, p.external_id AS externalId,
         p.is_walk_in AS isWalkIn, a.status AS aStatus, a.attendees, a.marked_at AS markedAt, a.desk_id AS deskId
  FROM sessions s
  JOIN participations p ON p.session_id = s.id OR (s.schedule_id IS NOT NULL AND p.schedule_id = s.schedule_id)
  LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = s.id`

export function createRosterExport(db: Db) {
  const sqlite = db.$client
  const forSession = sqlite.prepare(`${SELECT} WHERE s.id = ? ORDER BY p.sort_name, p.id`)
  const forRange = sqlite.prepare(`${SELECT} WHERE s.id IN (SELECT value FROM json_each(?)) ORDER BY s.starts_at, s.title, s.id, p.sort_name, p.id`)

  function toCsv(rows: ExportRow[], columns: readonly ExportColumn[]): string {
    const chosen = columns.map((c) => COLUMNS[c])
    const records = rows.map((r) => chosen.map((c) => neutraliseFormula(c.cell(r))))
    return stringify([chosen.map((c) => c.header), ...records], { bom: true, record_delimiter: 'windows', quoted_match: /^\s|\s$/ })
  }

  const slug = (s: string) => s.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60).toLowerCase() || 'session'

  return {
    session(session: { id: number; title: string; startsAt: number; timeZone: string }, columns: readonly ExportColumn[] = EXPORT_COLUMNS): ExportFile {
      const rows = forSession.all(session.id) as ExportRow[]
      const day = DateTime.fromMillis(session.startsAt, { zone: session.timeZone }).toFormat('yyyy-MM-dd')
      return { fileName: `rollcall-${day}-${slug(session.title)}.csv`, csv: toCsv(rows, columns), rows: rows.length }
    },
    sessions(date: string, sessionIds: number[], columns: readonly ExportColumn[] = EXPORT_COLUMNS): ExportFile {
      const rows = forRange.all(JSON.stringify(sessionIds)) as ExportRow[]
      return { fileName: `rollcall-${date}.csv`, csv: toCsv(rows, columns), rows: rows.length }
    }
  }
}
