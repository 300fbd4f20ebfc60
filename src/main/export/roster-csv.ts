/**
 * Roster export as CSV that Excel opens correctly: RFC 4180 quoting and CRLF, UTF-8 with a BOM,
 * times in each session's own zone, and cells that would start a formula neutralised.
 * csv-stringify (the `csv` project) does the quoting: a well-kept library beats hand-rolled escaping.
 */
import { stringify } from 'csv-stringify/sync'
import { DateTime } from 'luxon'
import type { ExportFile } from '../../shared/contract'
import type { Db } from '../db'

const HEADER = [
  'Session',
  'Session start',
  'Time zone',
  'Name',
  'Email',
  'Phone',
  'Party size',
  'Booking status',
  'Attendance',
  'Attendees',
  'Checked in at',
  'Checked in by desk',
  'Walk-in',
  'External id'
]

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

  function toCsv(rows: ExportRow[]): string {
    const local = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm')
    const records = rows.map((r) =>
      [
        r.sessionTitle,
        local(r.startsAt, r.timeZone),
        r.timeZone,
        r.name,
        r.email ?? '',
        r.phone ?? '',
        String(r.partySize),
        r.status,
        ATTENDANCE_WORDS[r.aStatus ?? 'NOT_SET'] ?? '',
        String(r.attendees ?? 0),
        r.markedAt !== null && r.aStatus === 'ATTENDED' ? local(r.markedAt, r.timeZone) : '',
        r.deskId ?? '',
        r.isWalkIn ? 'yes' : '',
        r.externalId ?? ''
      ].map(neutraliseFormula)
    )
    return stringify([HEADER, ...records], { bom: true, record_delimiter: 'windows', quoted_match: /^\s|\s$/ })
  }

  const slug = (s: string) => s.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60).toLowerCase() || 'session'

  return {
    session(session: { id: number; title: string; startsAt: number; timeZone: string }): ExportFile {
      const rows = forSession.all(session.id) as ExportRow[]
      const day = DateTime.fromMillis(session.startsAt, { zone: session.timeZone }).toFormat('yyyy-MM-dd')
      return { fileName: `rollcall-${day}-${slug(session.title)}.csv`, csv: toCsv(rows), rows: rows.length }
    },
    sessions(date: string, sessionIds: number[]): ExportFile {
      const rows = forRange.all(JSON.stringify(sessionIds)) as ExportRow[]
      return { fileName: `rollcall-${date}.csv`, csv: toCsv(rows), rows: rows.length }
    }
  }
}
