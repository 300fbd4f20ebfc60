/**
 * The core part of the bench, in this process, on a real desk database (openDesk, WAL,
 * synchronous=FULL) in a temp dir: sync ingest (vs raw inserts), search as you type through the
 * real `roster.page` handler, check-in commits through `attendance.checkIn`, CSV export.
 */
import { stringify } from 'csv-stringify/sync'
import type { Desk } from '../../src/main/core'
import { toFtsQuery } from '../../src/main/core'
import { rosterFilter } from '../../src/main/core/text'
import { createRosterService } from '../../src/main/core/roster'
import { createSessionService } from '../../src/main/core/sessions'
import type { ParticipationRecord } from '../../src/main/providers/types'
import { createReplica } from '../../src/main/sync'
import { participationRow } from '../../src/main/sync/replica'
import { csvField, neutraliseFormula } from '../../src/main/export'
import { summary } from './report'

const now = () => performance.now()
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r))

export function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}

// ---------------------------------------------------------------------------------------------
// Sync ingest

/** The same values the replica writes for a pulled row, computed by the replica's own function. */
export const rawValues = (provider: string, r: ParticipationRecord, sessionId: number) => participationRow(provider, r, sessionId, Date.now())

const INSERT_COLUMNS = `(provider, provider_id, external_id, session_id, schedule_id, name, sort_name, email, phone,
  contact_id, customer_number, booking_id, badge_number, search_codes, party_size, status, revision, raw, created_at, updated_at)
  VALUES (@provider, @providerId, @externalId, @sessionId, @scheduleId, @name, @sortName, @email, @phone,
  @contactId, @customerNumber, @bookingId, @badgeNumber, @searchCodes, @partySize, @status, @revision, @raw, @now, @now)`

export interface IngestResult {
  rows: number
  pages: number
  realMs: number
  rawPlainMs: number
  rawFtsMs: number
  prepMs: number
  lookupsMs: number
  unchangedMs: number
  inserted: number
  marksInserted: number
}

/**
 * Pulls `records` into the desk through `replica.applyParticipations` page by page, and inserts
 * the same rows, page by page in the same transactions, into two copies of the participations
 * table made from its own DDL: one with its columns, constraints and indexes ("plain"), one with
 * everything attached to the table, the FTS5 search index and its insert trigger included ("full").
 * The three are interleaved page by page (rotating who goes first) so a noisy neighbour hits all alike.
 */
export function benchIngest(desk: Desk, records: ParticipationRecord[], session: { id: number; providerId: string }, pageSize = 100): IngestResult {
  const sqlite = desk.db.$client
  const replica = createReplica(desk.db, Date.now)
  const ddl = (name: string) => (sqlite.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(name) as string | undefined) ?? ''
  const indexes = sqlite.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'participations' AND sql IS NOT NULL`).pluck().all() as string[]
  const copy = (sql: string, table: string) => sql.replace(/participation_search/g, `${table}_search`).replace(/participations/g, table)
  for (const table of ['bench_raw_plain', 'bench_raw_full']) {
    sqlite.exec(copy(ddl('participations'), table))
    for (const sql of indexes) sqlite.exec(copy(sql, table))
  }
  sqlite.exec(copy(ddl('participation_search'), 'bench_raw_full'))
  sqlite.exec(copy(ddl('participations_search_insert'), 'bench_raw_full'))

  const insertPlain = sqlite.prepare(`INSERT INTO bench_raw_plain ${INSERT_COLUMNS}`)
  const insertFull = sqlite.prepare(`INSERT INTO bench_raw_full ${INSERT_COLUMNS}`)
  const txPlain = sqlite.transaction((rows: ReturnType<typeof rawValues>[]) => {
    for (const v of rows) insertPlain.run(v)
  })
  const txFull = sqlite.transaction((rows: ReturnType<typeof rawValues>[]) => {
    for (const v of rows) insertFull.run(v)
  })

  // The raw side gets its values ready-made; building them is timed on its own.
  let t = now()
  const values = records.map((r) => rawValues('wix', r, session.id))
  const prepMs = now() - t

  const pages = chunk(records, pageSize)
  const valuePages = chunk(values, pageSize)
  let realMs = 0
  let rawPlainMs = 0
  let rawFtsMs = 0
  let inserted = 0
  let marksInserted = 0
  for (let i = 0; i < pages.length; i++) {
    const steps = [
      () => {
        const s = now()
        const stats = replica.applyParticipations('wix', session, pages[i]!)
        realMs += now() - s
        inserted += stats.inserted
        marksInserted += stats.marks.inserted
      },
      () => {
        const s = now()
        txPlain(valuePages[i]!)
        rawPlainMs += now() - s
      },
      () => {
        const s = now()
        txFull(valuePages[i]!)
        rawFtsMs += now() - s
      }
    ]
    for (let k = 0; k < 3; k++) steps[(i + k) % 3]!()
  }

  // The per-row reads the pull path makes for a new row (its lookup, then the embedded-mark
  // lookups for the pulled session), timed on their own over the filled table.
  const find = sqlite.prepare('SELECT id, revision FROM participations WHERE provider = ? AND provider_id = ?')
  const pending = sqlite.prepare(`SELECT count(*) AS n FROM outbox WHERE participation_id = ? AND session_id = ? AND state IN ('pending', 'in_flight', 'conflict')`)
  const findAttendance = sqlite.prepare('SELECT status, attendees, provider_id AS providerId FROM attendance WHERE participation_id = ? AND session_id = ?')
  t = now()
  for (const r of records) {
    find.get('wix', r.providerId)
    const p = find.get('wix', r.providerId) as { id: number }
    pending.get(p.id, session.id)
    findAttendance.get(p.id, session.id)
  }
  const lookupsMs = now() - t

  // A re-pull where nothing changed: the rows are read, compared by revision, not rewritten.
  t = now()
  for (const page of pages) replica.applyParticipations('wix', session, page)
  const unchangedMs = now() - t

  sqlite.exec('DROP TABLE bench_raw_full_search; DROP TABLE bench_raw_full; DROP TABLE bench_raw_plain')
  sqlite.pragma('wal_checkpoint(TRUNCATE)')
  return { rows: records.length, pages: pages.length, realMs, rawPlainMs, rawFtsMs, prepMs, lookupsMs, unchangedMs, inserted, marksInserted }
}

// ---------------------------------------------------------------------------------------------
// Search as you type

export interface SearchSample {
  text: string
  kind: string
  length: number
  ms: number
  serviceMs: number
  /** The full-text part alone: this roster's hits counted inside the index (no rows read). */
  ftsMs: number
  total: number
}

type PageHandler = (input: { sessionId: number; search: string; offset: number; limit: number }) => { total: number; rows: unknown[] }

export async function benchSearch(desk: Desk, sessionId: number, prefixes: { text: string; kind: string }[], limit = 200) {
  const handler = desk.handlers['roster.page'] as unknown as PageHandler
  // The same service the handler wraps, on the same connection: what the handler adds around it.
  const sessions = createSessionService(desk.context)
  const roster = createRosterService(desk.context, sessions)
  const session = sessions.require(sessionId)
  const onRoster = desk.db.$client.prepare('SELECT count(*) FROM participation_search WHERE participation_search MATCH ?').pluck()
  for (const p of prefixes.slice(0, 20)) handler({ sessionId, search: p.text, offset: 0, limit }) // warm-up
  const samples: SearchSample[] = []
  for (let i = 0; i < prefixes.length; i++) {
    const p = prefixes[i]!
    let t = now()
    const page = handler({ sessionId, search: p.text, offset: 0, limit })
    const ms = now() - t
    t = now()
    roster.page({ sessionId, search: p.text, offset: 0, limit })
    const serviceMs = now() - t
    const query = toFtsQuery(p.text)
    t = now()
    if (query) onRoster.get(`${query} AND ${rosterFilter(session.id, session.scheduleId)}`)
    const ftsMs = query ? now() - t : 0
    samples.push({ text: p.text, kind: p.kind, length: [...p.text].length, ms, serviceMs, ftsMs, total: page.total })
    if (i % 50 === 0) await yieldToLoop()
  }
  return samples
}

/**
 * Where a search's time goes, through roster.ts itself: the plan it takes (plain, letter,
 * selective, broad), the full-text match alone desk-wide and on this roster (counted inside the
 * index, no rows), and the whole roster.page service call.
 */
export function explainSearch(desk: Desk, sessionId: number, texts: string[], limit = 200) {
  const sqlite = desk.db.$client
  const sessions = createSessionService(desk.context)
  const roster = createRosterService(desk.context, sessions)
  const session = sessions.require(sessionId)
  const ftsOnly = sqlite.prepare('SELECT count(*) FROM participation_search WHERE participation_search MATCH @query').pluck()
  const time = (f: () => unknown) => {
    f() // warm
    const s = now()
    const v = f()
    return { ms: now() - s, v }
  }
  return texts.map((text) => {
    const query = toFtsQuery(text)
    const f = query ? time(() => ftsOnly.get({ query })) : { ms: 0, v: 0 }
    const r = query ? time(() => ftsOnly.get({ query: `${query} AND ${rosterFilter(session.id, session.scheduleId)}` })) : { ms: 0, v: 0 }
    const p = time(() => roster.page({ sessionId, search: text, offset: 0, limit }))
    return {
      text,
      plan: roster.planOf(sessionId, text),
      ftsHits: f.v as number,
      ftsMs: f.ms,
      rosterFtsMs: r.ms,
      total: (p.v as { total: number }).total,
      pageMs: p.ms
    }
  })
}

/** Search samples grouped by the plan roster.ts takes for them. */
export function searchByPlan(desk: Desk, sessionId: number, samples: SearchSample[]) {
  const roster = createRosterService(desk.context, createSessionService(desk.context))
  const groups = new Map<string, SearchSample[]>()
  for (const s of samples) {
    const plan = roster.planOf(sessionId, s.text)
    groups.set(plan, [...(groups.get(plan) ?? []), s])
  }
  return [...groups].map(([plan, group]) => ({ plan, ...summary(group.map((s) => s.ms)), meanTotal: group.reduce((a, s) => a + s.total, 0) / group.length }))
}

/** The plan of roster.ts's plain page statement in the session's shape. */
export function explainPages(desk: Desk, sessionId: number) {
  const sqlite = desk.db.$client
  const session = sqlite.prepare('SELECT schedule_id AS scheduleId FROM sessions WHERE id = ?').get(sessionId) as { scheduleId: string | null }
  const where = session.scheduleId ? '(p.session_id = @sessionId OR p.schedule_id = @scheduleId)' : 'p.session_id = @sessionId'
  const sql = `SELECT p.id, p.name FROM participations p LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = @sessionId WHERE ${where} ORDER BY p.sort_name, p.id LIMIT 200 OFFSET @offset`
  const params = { sessionId, scheduleId: session.scheduleId, offset: 0 }
  const plan = (sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail)
  // The same page in the own-session shape, ids first from the covering index, then 200 rows.
  const idsFirst = sqlite.prepare(
    `SELECT p.id, p.name FROM (SELECT id FROM participations WHERE session_id = @sessionId ORDER BY sort_name, id LIMIT 200 OFFSET @offset) k
     JOIN participations p ON p.id = k.id LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = @sessionId ORDER BY p.sort_name, p.id`
  )
  const count = (sqlite.prepare('SELECT count(*) FROM participations WHERE session_id = ?').pluck().get(sessionId) as number) ?? 0
  const t = now()
  idsFirst.all({ sessionId, offset: Math.max(0, count - 200) })
  return { shape: session.scheduleId ? 'course (session OR schedule)' : 'own session', plan, idsFirstLastMs: now() - t }
}

/** Deep pages: the renderer asks for rows by OFFSET as the desk scrolls. */
export function benchPages(desk: Desk, sessionId: number, size: number) {
  const handler = desk.handlers['roster.page'] as unknown as PageHandler
  const at = (offset: number) => {
    const times: number[] = []
    for (let i = 0; i < 10; i++) {
      const t = now()
      handler({ sessionId, search: '', offset, limit: 200 })
      times.push(now() - t)
    }
    return summary(times)
  }
  return { first: at(0), middle: at(Math.max(0, Math.floor(size / 2) - 200)), last: at(Math.max(0, size - 200)) }
}

// ---------------------------------------------------------------------------------------------
// Check-in

type CheckInHandler = (input: { sessionId: number; participationId: number; attendees: number; allowOverParty: boolean; method: 'manual' | 'scan' }) => unknown

export async function benchCheckIn(desk: Desk, sessionId: number, count: number) {
  const sqlite = desk.db.$client
  const people = sqlite
    .prepare(
      `SELECT p.id, p.party_size AS partySize FROM participations p
       WHERE p.session_id = ? AND p.status = 'CONFIRMED'
         AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.participation_id = p.id AND a.session_id = p.session_id)
       ORDER BY (p.id * 7919) % 100003`
    )
    .all(sessionId) as { id: number; partySize: number }[]
  const handler = desk.handlers['attendance.checkIn'] as unknown as CheckInHandler
  const chosen = people.slice(0, count)
  // The floor: the smallest durable commit this disk allows (one row, one transaction, same db).
  sqlite.exec('CREATE TABLE IF NOT EXISTS bench_commit (id INTEGER PRIMARY KEY, at INTEGER NOT NULL)')
  const floorInsert = sqlite.prepare('INSERT INTO bench_commit (at) VALUES (?)')
  const times: number[] = []
  const floor: number[] = []
  for (let i = 0; i < chosen.length; i++) {
    const p = chosen[i]!
    await yieldToLoop() // one call per event-loop turn, as over IPC
    let t = now()
    handler({ sessionId, participationId: p.id, attendees: p.partySize, allowOverParty: false, method: 'manual' })
    times.push(now() - t)
    if (i % 4 === 0) {
      await yieldToLoop()
      t = now()
      floorInsert.run(Date.now())
      floor.push(now() - t)
    }
  }
  sqlite.exec('DROP TABLE bench_commit')
  const outbox = sqlite.prepare(`SELECT count(*) FROM outbox WHERE state = 'pending'`).pluck().get() as number
  const audit = sqlite.prepare(`SELECT count(*) FROM audit_log WHERE action = 'check_in'`).pluck().get() as number
  return { times, floor, outbox, audit, sync: sqlite.pragma('synchronous', { simple: true }), journal: sqlite.pragma('journal_mode', { simple: true }) }
}

// ---------------------------------------------------------------------------------------------
// Export

type ExportHandler = (input: { sessionId: number }) => { fileName: string; csv: string; rows: number }

export function benchExport(desk: Desk, sessionId: number, runs = 3) {
  const handler = desk.handlers['export.roster'] as unknown as ExportHandler
  const times: number[] = []
  let rows = 0
  let bytes = 0
  for (let i = 0; i < runs; i++) {
    const t = now()
    const file = handler({ sessionId })
    times.push(now() - t)
    rows = file.rows
    bytes = Buffer.byteLength(file.csv)
  }
  return { times, rows, bytes }
}

/**
 * The export's parts timed apart, on the statements roster-csv.ts runs: streaming the rows as
 * arrays (a session holding most of the table is read in table order and sorted; a smaller one in
 * name order from its index), reading the session's marks into a map, writing the lines (cells,
 * formula check, csvField quoting, one join per line), joining the pieces. For comparison, the
 * statement it replaced (course OR in the join: a temp B-tree sort of every row, one object per
 * row) and csv-stringify over the same records.
 */
export function explainExport(desk: Desk, sessionId: number) {
  const sqlite = desk.db.$client
  const cols = 'p.id, p.name, p.email, p.phone, p.party_size, p.status, p.external_id, p.is_walk_in'
  const byIndex = sqlite.prepare(`SELECT ${cols} FROM participations p WHERE p.session_id = ? ORDER BY p.sort_name, p.id`).raw(true)
  const scanned = sqlite.prepare(`SELECT ${cols} FROM participations p NOT INDEXED WHERE p.session_id = ? ORDER BY p.sort_name, p.id`).raw(true)
  const marksOf = sqlite.prepare('SELECT participation_id, status, attendees, marked_at, desk_id FROM attendance WHERE session_id = ?').raw(true)
  const count = sqlite.prepare('SELECT count(*) FROM participations WHERE session_id = ?').pluck().get(sessionId) as number
  const highest = (sqlite.prepare('SELECT max(id) FROM participations').pluck().get() as number | null) ?? 0
  const chosen = count * 4 >= highest ? scanned : byIndex
  const plan = (sqlite.prepare(`EXPLAIN QUERY PLAN ${chosen.source}`).all(sessionId) as { detail: string }[]).map((r) => r.detail)
  let t = now()
  byIndex.all(sessionId)
  const indexOrderMs = now() - t
  t = now()
  const rows = chosen.all(sessionId) as unknown[][]
  const sqlMs = now() - t
  t = now()
  const marks = new Map<number, unknown[]>()
  for (const [id, ...m] of marksOf.iterate(sessionId) as IterableIterator<unknown[]>) marks.set(id as number, m)
  const marksMs = now() - t
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v))
  t = now()
  const records = rows.map((r) => {
    const m = marks.get(r[0] as number)
    return ['Session', '2026-01-01 09:00', 'Europe/Berlin', text(r[1]), text(r[2]), text(r[3]), text(r[4]), text(r[5]), m ? text(m[0]) : '', m ? text(m[1]) : '0', '', m ? text(m[3]) : '', r[7] ? 'yes' : '', text(r[6])].map(neutraliseFormula)
  })
  const cellsMs = now() - t
  t = now()
  const pieces: string[] = []
  const lines: string[] = []
  for (const record of records) {
    lines.push(record.map(csvField).join(','))
    if (lines.length === 500) {
      pieces.push(lines.join('\r\n') + '\r\n')
      lines.length = 0
    }
  }
  pieces.push(lines.join('\r\n') + '\r\n')
  const quoteMs = now() - t
  t = now()
  const csv = pieces.join('')
  const joinMs = now() - t
  t = now()
  stringify(records, { bom: true, record_delimiter: 'windows', quoted_match: /^\s|\s$/, quote_record_delimiter: true })
  const csvStringifyMs = now() - t
  // The statement the export used before (one object per row, course OR, sorted in a temp B-tree).
  const old = sqlite.prepare(`
    SELECT s.title AS sessionTitle, s.starts_at AS startsAt, s.time_zone AS timeZone,
           p.name, p.email, p.phone, p.party_size AS partySize, p.status, p.external_id AS externalId,
           p.is_walk_in AS isWalkIn, a.status AS aStatus, a.attendees, a.marked_at AS markedAt, a.desk_id AS deskId
    FROM sessions s
    JOIN participations p ON p.session_id = s.id OR (s.schedule_id IS NOT NULL AND p.schedule_id = s.schedule_id)
    LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = s.id
    WHERE s.id = ? ORDER BY p.sort_name, p.id`)
  t = now()
  old.all(sessionId)
  const oldSqlMs = now() - t
  return { rows: rows.length, sqlMs, indexOrderMs, scannedChosen: chosen === scanned, marksMs, cellsMs, quoteMs, joinMs, csvStringifyMs, oldSqlMs, plan, chars: csv.length }
}

/**
 * A person's attendance history on a replica of this size: eight past weekly sessions of a class
 * booked by 2,000 of the roster's people (same emails: the same people), most of them attended;
 * then the figures of a screenful of rows (one call, as the window asks) and one person's details.
 */
export async function benchPersonHistory(desk: Desk, sessionId: number, runs = 20) {
  const sqlite = desk.db.$client
  const now = Date.now()
  const people = sqlite
    .prepare(`SELECT id, name, sort_name AS sortName, email FROM participations WHERE session_id = ? AND email IS NOT NULL ORDER BY id LIMIT 2000`)
    .all(sessionId) as { id: number; name: string; sortName: string; email: string }[]
  const addSession = sqlite.prepare(
    `INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, created_at, updated_at) VALUES ('local', ?, 'Bench weekly class', ?, ?, 'Europe/Berlin', 0, 0) RETURNING id`
  ).pluck()
  const book = sqlite.prepare(
    `INSERT INTO participations (provider, provider_id, session_id, name, sort_name, email, created_at, updated_at) VALUES ('local', ?, ?, ?, ?, ?, 0, 0) RETURNING id`
  ).pluck()
  const mark = sqlite.prepare(`INSERT INTO attendance (participation_id, session_id, status, attendees, method, updated_at) VALUES (?, ?, ?, ?, 'manual', 0)`)
  sqlite.transaction(() => {
    for (let w = 1; w <= 8; w++) {
      const at = now - w * 7 * 86_400_000
      const past = addSession.get(`bench-class-${w}`, at, at + 3_600_000) as number
      people.forEach((p, i) => {
        const id = book.get(`bench-class-${w}-${p.id}`, past, p.name, p.sortName, p.email) as number
        const came = (i + w) % 5 !== 0
        mark.run(id, past, came ? 'ATTENDED' : 'NOT_ATTENDED', came ? 1 : 0)
      })
    }
  })()
  const ids = people.slice(0, 200).map((p) => p.id)
  const rows: number[] = []
  const one: number[] = []
  for (let r = 0; r < runs; r++) {
    let t = performance.now()
    const answer = desk.handlers['history.people']({ sessionId, participationIds: ids }) as { people: unknown[] }
    rows.push(performance.now() - t)
    if (answer.people.some((p) => p === null)) throw new Error('history: a person with an email had no history')
    t = performance.now()
    desk.handlers['history.person']({ sessionId, participationId: ids[r % ids.length]! })
    one.push(performance.now() - t)
  }
  const participations = sqlite.prepare(`SELECT count(*) FROM participations`).pluck().get() as number
  return { screenful: rows, perPerson: rows.map((v) => v / ids.length), details: one, participations }
}
