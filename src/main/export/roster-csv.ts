/**
 * Roster export as CSV that Excel opens correctly: RFC 4180 quoting and CRLF, UTF-8 with a BOM,
 * times in each session's own zone, and cells that would start a formula neutralised.
 *
 * Built for 100,000-row rosters in about half a second and without holding the roster twice
 * (test/bench measures both):
 * - rows stream from SQLite as plain arrays (`raw().iterate()`), never an object per row; no OR
 *   over course participations in one statement (SQLite sorted every row of it in a temp B-tree):
 *   a course's own and schedule participations are merged with UNION ALL, and a session holding
 *   most of the table is read in table order and sorted rather than fetched row by row in name
 *   order (its rows carry the provider's raw record, so name order jumps across the whole table);
 * - a session's marks (a few percent of its people) are read once into a map instead of one
 *   attendance lookup per row;
 * - cells from people are formula-checked and quoted by `csvField` (csv-stringify's rules for the
 *   desk's options; test/unit/roster-csv.test.ts checks it against csv-stringify itself), the desk's
 *   own words and numbers need neither; each line is one join, pieces of 500 lines are joined once:
 *   the garbage collector was half the time when lines were built by concatenation. csv-stringify
 *   cost half a second at 100,000 rows and needs every record as an array of strings first.
 */
import { DateTime } from 'luxon'
import { EXPORT_COLUMNS, type ExportColumn, type ExportFile } from '../../shared/contract'
import { EXPORT_CELL_WORDS, EXPORT_COLUMN_LABELS, type ExportLanguage } from '../../shared/export-columns'
import type { Db } from '../db'

/** One participation row as the statement yields it (raw arrays: no object per row; the course statement adds sort_name). */
type Row = [id: number, name: string, email: string | null, phone: string | null, partySize: number, status: string, externalId: string | null, isWalkIn: number]
/** The session's mark for a person on one day: status, attendees, marked at, desk, checked out at, day. */
type Mark = [status: string, attendees: number, markedAt: number | null, deskId: string | null, checkedOutAt: number | null, day: string | null, method: string | null]
/** A session's cells, written once per session; `zone` is the raw zone for check-in times. */
interface SessionCells {
  title: string
  start: string
  timeZone: string
  zone: string
  /** The desk's own words in the file's language. */
  words: (typeof EXPORT_CELL_WORDS)[ExportLanguage]
  /** Badges printed in this session, by participation: the last print's cell. */
  badges: Map<number, string>
}

/**
 * How a row fills each exportable column, ready to write (quoted and formula checked where the
 * text comes from people; numbers, times and the desk's own words need neither). A session's own
 * cells (title, start, zone) are made once per session. The header row is the column picker's
 * words (shared/export-columns.ts), in the window's language.
 */
const COLUMNS: Record<ExportColumn, (r: Row, m: Mark | undefined, s: SessionCells) => string> = {
  session: (_r, _m, s) => s.title,
  sessionStart: (_r, _m, s) => s.start,
  timeZone: (_r, _m, s) => s.timeZone,
  name: (r) => text(r[1]),
  email: (r) => (r[2] === null ? '' : text(r[2])),
  phone: (r) => (r[3] === null ? '' : text(r[3])),
  partySize: (r) => String(r[4]),
  bookingStatus: (r) => text(r[5]),
  attendance: (_r, m, s) => (m?.[0] === 'ATTENDED' ? s.words.checkedIn : m?.[0] === 'NOT_ATTENDED' ? s.words.noShow : ''),
  attendees: (_r, m) => String(m?.[1] ?? 0),
  day: (_r, m, s) => (!m ? '' : (m[5] ?? (m[2] === null ? '' : local(m[2], s.zone).slice(0, 10)))),
  checkedInAt: (_r, m, s) => (m && m[2] !== null && m[0] === 'ATTENDED' ? local(m[2], s.zone) : ''),
  checkedOutAt: (_r, m, s) => (m && m[4] !== null && m[0] === 'ATTENDED' ? local(m[4], s.zone) : ''),
  checkedInBy: (_r, m) => (m?.[3] == null ? '' : text(m[3])),
  walkIn: (r, _m, s) => (r[7] ? s.words.yes : ''),
  externalId: (r) => (r[6] === null ? '' : text(r[6])),
  fromPaper: (_r, m, s) => (m?.[6] === 'paper' && m[0] === 'ATTENDED' ? s.words.yes : ''),
  badgePrinted: (r, _m, s) => s.badges.get(r[0]) ?? ''
}

/** Anything neutraliseFormula or csvField would change; most cells have none of it (one test, not two). */
const NEEDS_CARE = /^[=+\-@\s]|[",\r\n]|\s$/
/** Text from people (or a provider) as a written cell: formula neutralised, then quoted if needed. */
const text = (value: string): string => (NEEDS_CARE.test(value) ? csvField(neutraliseFormula(value)) : value)

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

const FORMULA_START = /^[=+\-@\t\r]/
/** A leading = + - @ (or tab/CR) makes spreadsheets evaluate a cell: prefix a quote (OWASP's advice). */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/
/**
 * One CSV field as csv-stringify writes it with `quoted_match: /^\s|\s$/` and
 * `quote_record_delimiter: true`: quoted when it holds a quote, comma, CR or LF (RFC 4180; a lone
 * LF in a name must not split its row) or starts or ends with whitespace (spreadsheets trim
 * unquoted edges), with its quotes doubled; the empty string stays bare.
 */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

const CRLF = '\r\n'
const BOM = '\uFEFF'
/** Lines per output piece: pieces of ~100 KB keep the join cheap and the garbage small. */
const LINES_PER_PIECE = 500

/** Someone the booking system no longer has stays in the export, with this booking status. */
export const REMOVED_UPSTREAM = 'REMOVED_UPSTREAM'
const COLUMNS_OF_ROW = `p.id, p.name, p.email, p.phone, p.party_size,
  CASE WHEN p.removed_at IS NULL THEN p.status ELSE '${REMOVED_UPSTREAM}' END, p.external_id, p.is_walk_in, p.sort_name`

export function createRosterExport(db: Db) {
  const sqlite = db.$client
  const sessionOf = sqlite.prepare<[number], { id: number; title: string; startsAt: number; timeZone: string; scheduleId: string | null }>(
    `SELECT id, title, starts_at AS startsAt, time_zone AS timeZone, schedule_id AS scheduleId FROM sessions WHERE id = ?`
  )
  const sessionsInOrder = sqlite.prepare<[string], { id: number; title: string; startsAt: number; timeZone: string; scheduleId: string | null }>(
    `SELECT id, title, starts_at AS startsAt, time_zone AS timeZone, schedule_id AS scheduleId FROM sessions
     WHERE id IN (SELECT value FROM json_each(?)) ORDER BY starts_at, title, id`
  )
  // The session's own participations in the order of participations_session_sort (sort_name, id).
  const ownColumns = COLUMNS_OF_ROW.replace(', p.sort_name', '')
  const ownRows = sqlite.prepare(`SELECT ${ownColumns} FROM participations p WHERE p.session_id = ? ORDER BY p.sort_name, p.id`).raw(true)
  // The same rows for a session holding most of the table: read in table order and sorted, which at
  // 100,000 rows takes about half the time of fetching each row in name order (rows carry the
  // provider's raw record, so name order jumps across ~40,000 pages).
  const ownRowsScanned = sqlite.prepare(`SELECT ${ownColumns} FROM participations p NOT INDEXED WHERE p.session_id = ? ORDER BY p.sort_name, p.id`).raw(true)
  const ownCount = sqlite.prepare<[number], number>(`SELECT count(*) FROM participations WHERE session_id = ?`).pluck()
  const highestId = sqlite.prepare<[], number | null>(`SELECT max(id) FROM participations`).pluck()
  // A course session: its own and its course's participations (never both: one target per row), merged in order.
  const courseRows = sqlite
    .prepare(
      `SELECT ${COLUMNS_OF_ROW} FROM participations p WHERE p.session_id = @sessionId
       UNION ALL SELECT ${COLUMNS_OF_ROW} FROM participations p WHERE p.schedule_id = @scheduleId
       ORDER BY 9, 1`
    )
    .raw(true)
  const marksOf = sqlite
    .prepare(`SELECT participation_id, status, attendees, marked_at, coalesce((SELECT m.value FROM desk_meta m WHERE m.key = 'station:' || desk_id), desk_id), checked_out_at, day, method FROM attendance WHERE session_id = ?`)
    .raw(true)
  // Earlier days of a multi-day session (one row per person and day, see migration 0010).
  const earlierOf = sqlite
    .prepare(`SELECT participation_id, status, attendees, marked_at, coalesce((SELECT m.value FROM desk_meta m WHERE m.key = 'station:' || desk_id), desk_id), checked_out_at, day, NULL FROM attendance_days WHERE session_id = ? ORDER BY day`)
    .raw(true)

  // The print log: each person's last badge in the session (max() picks that row's desk), and how many.
  const badgesOf = sqlite
    .prepare(`SELECT participation_id, max(at), desk_name, count(*) FROM badge_prints WHERE session_id = ? GROUP BY participation_id`)
    .raw(true)

  /** Writes the rows of several sessions, in order, as one CSV text. */
  function write(
    sessions: { id: number; title: string; startsAt: number; timeZone: string; scheduleId: string | null }[],
    columns: readonly ExportColumn[],
    language: ExportLanguage
  ) {
    const chosen = columns.map((c) => COLUMNS[c])
    const labels = EXPORT_COLUMN_LABELS[language]
    const pieces: string[] = [BOM + columns.map((c) => csvField(labels[c])).join(',') + CRLF]
    // One reused array for a line's cells and one for a piece's lines: each line is one flat string
    // (join), not a chain of ~30 concatenations the garbage collector has to walk and free.
    const cells: string[] = new Array<string>(chosen.length)
    const lines: string[] = []
    let rows = 0
    for (const session of sessions) {
      const sessionCells: SessionCells = {
        title: text(session.title),
        start: text(local(session.startsAt, session.timeZone)),
        timeZone: text(session.timeZone),
        zone: session.timeZone,
        words: EXPORT_CELL_WORDS[language],
        badges: new Map()
      }
      for (const [participationId, at, deskName, count] of badgesOf.iterate(session.id) as IterableIterator<[number, number, string, number]>) {
        sessionCells.badges.set(participationId, text(`${local(at, session.timeZone)} ${deskName}${count > 1 ? ` (×${count})` : ''}`))
      }
      const marks = new Map<number, Mark>()
      for (const [participationId, ...mark] of marksOf.iterate(session.id) as IterableIterator<[number, ...Mark]>) marks.set(participationId, mark)
      // A multi-day session: one row per person and day, earlier days first (see the README).
      const earlier = new Map<number, Mark[]>()
      for (const [participationId, ...mark] of earlierOf.iterate(session.id) as IterableIterator<[number, ...Mark]>) {
        const current = marks.get(participationId)
        if (current && current[5] === mark[5]) continue // undone back to that day: the row below is it
        const list = earlier.get(participationId)
        if (list) list.push(mark)
        else earlier.set(participationId, [mark])
      }
      const iterator = (
        session.scheduleId
          ? courseRows.iterate({ sessionId: session.id, scheduleId: session.scheduleId })
          : (ownCount.get(session.id)! * 4 >= (highestId.get() ?? 0) ? ownRowsScanned : ownRows).iterate(session.id)
      ) as IterableIterator<Row>
      for (const row of iterator) {
        const mark = marks.get(row[0])
        const days = earlier.size ? earlier.get(row[0]) : undefined
        if (days) {
          for (const day of days) {
            for (let i = 0; i < chosen.length; i++) cells[i] = chosen[i]!(row, day, sessionCells)
            lines.push(cells.join(','))
            rows++
          }
        }
        for (let i = 0; i < chosen.length; i++) cells[i] = chosen[i]!(row, mark, sessionCells)
        lines.push(cells.join(','))
        rows++
        if (lines.length === LINES_PER_PIECE) {
          pieces.push(lines.join(CRLF) + CRLF)
          lines.length = 0
        }
      }
    }
    if (lines.length) pieces.push(lines.join(CRLF) + CRLF)
    return { csv: pieces.join(''), rows }
  }

  const slug = (s: string) => s.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60).toLowerCase() || 'session'

  return {
    session(
      session: { id: number; title: string; startsAt: number; timeZone: string },
      columns: readonly ExportColumn[] = EXPORT_COLUMNS,
      language: ExportLanguage = 'en'
    ): ExportFile {
      const row = sessionOf.get(session.id)
      const { csv, rows } = write(row ? [row] : [], columns, language)
      const day = DateTime.fromMillis(session.startsAt, { zone: session.timeZone }).toFormat('yyyy-MM-dd')
      return { fileName: `rollcall-${day}-${slug(session.title)}.csv`, csv, rows }
    },
    sessions(date: string, sessionIds: number[], columns: readonly ExportColumn[] = EXPORT_COLUMNS, language: ExportLanguage = 'en'): ExportFile {
      const { csv, rows } = write(sessionsInOrder.all(JSON.stringify(sessionIds)), columns, language)
      return { fileName: `rollcall-${date}.csv`, csv, rows }
    }
  }
}
