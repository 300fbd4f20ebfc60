/**
 * The local-only provider's roster import: preview (nothing written) and commit (all rows in one
 * transaction, or none). Re-importing a file updates the rows it created instead of adding copies:
 * every row gets a stable key from its session and its id, email or name.
 */
import { createHash } from 'node:crypto'
import type { ImportMapping, ImportPreview, ImportProblem, ImportRequest, ImportResult, ImportRowError } from '../../../shared/contract'
import type { CoreContext } from '../../core/context'
import { DeskError } from '../../core/errors'
import { english } from '../../log/english'
import type { SessionService } from '../../core/sessions'
import { buildSearchCodes, foldText, phoneDigits } from '../../core/text'
import { guessMapping, parseCsv, readRosterLine, rowError, type RosterLine } from './csv-roster'

const MAX_LISTED_ERRORS = 200
const SAMPLE_ROWS = 20

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 22)

interface Plan {
  headers: string[]
  mapping: ImportMapping
  totalRows: number
  rows: RosterLine[]
  errors: ImportRowError[]
  blocking: ImportProblem | null
  target: { id: number; providerId: string; title: string; startsAt: number } | null
}

export function createLocalImport(ctx: CoreContext, sessions: SessionService) {
  const { $client: sqlite } = ctx.db

  function plan(request: ImportRequest): Plan {
    const csv = parseCsv(request.csv)
    if (csv.headers.length === 0) {
      throw DeskError.because('invalid_input', { reason: 'import_empty', params: {} })
    }
    const mapping = request.mapping ?? guessMapping(csv.headers)
    for (const [field, column] of Object.entries(mapping)) {
      if (column !== null && !csv.headers.includes(column)) {
        throw DeskError.because('invalid_input', { reason: 'import_column_missing', params: { column, field } })
      }
    }
    let target: Plan['target'] = null
    if (request.targetSessionId !== undefined) {
      const session = sessions.require(request.targetSessionId)
      if (session.provider !== 'local') {
        throw DeskError.because('refused', { reason: 'import_not_local', params: { title: session.title, provider: session.provider } })
      }
      target = { id: session.id, providerId: session.providerId, title: session.title, startsAt: session.startsAt }
    }
    const errors: ImportRowError[] = [...csv.errors]
    // A mapping that cannot work makes every row wrong: say it once, not once per row.
    let blocking: ImportProblem | null = null
    if (!mapping.name && !mapping.firstName && !mapping.lastName) blocking = { reason: 'import_no_name_column', params: {} }
    else if (!target && (!mapping.sessionTitle || !mapping.sessionStart)) {
      blocking = { reason: 'import_no_session_columns', params: {} }
    }
    const rows: RosterLine[] = []
    if (blocking) errors.push(rowError(1, [blocking]))
    else {
      for (const record of csv.records) {
        const result = readRosterLine(record, csv.headers, mapping, { timeZone: request.timeZone, intoChosenSession: target !== null })
        if ('row' in result) rows.push(result.row)
        else errors.push(rowError(record.line, result.errors))
      }
    }
    errors.sort((a, b) => a.line - b.line)
    return { headers: csv.headers, mapping, totalRows: csv.records.length + csv.errors.length, rows, errors, blocking, target }
  }

  const sessionKey = (s: NonNullable<RosterLine['session']>) => `csv:${hash(foldText(s.title), String(s.startsAt))}`

  /** The stable key of each row; the nth same-looking person in one session gets #n. */
  function rowKeys(rows: RosterLine[], target: Plan['target']): string[] {
    const seen = new Map<string, number>()
    return rows.map((row) => {
      const session = target ? target.providerId : sessionKey(row.session!)
      const who = row.externalId
        ? `id:${row.externalId}`
        : row.email
          ? `email:${row.email.toLowerCase()}`
          : `name:${foldText(row.name)}|${phoneDigits(row.phone ?? '')}`
      const base = `${session}|${who}`
      const n = (seen.get(base) ?? 0) + 1
      seen.set(base, n)
      return `csv:${hash(base, String(n))}`
    })
  }

  const findSession = sqlite.prepare(`SELECT id FROM sessions WHERE provider = 'local' AND provider_id = ?`).pluck()
  const insertSession = sqlite.prepare(
    `INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, capacity, kind, created_at, updated_at)
     VALUES ('local', @providerId, @title, @startsAt, @endsAt, @timeZone, @capacity, 'DEFAULT', @now, @now)`
  )
  const updateSession = sqlite.prepare(
    `UPDATE sessions SET ends_at = @endsAt, time_zone = @timeZone, capacity = coalesce(@capacity, capacity), updated_at = @now
     WHERE id = @id AND (ends_at <> @endsAt OR time_zone <> @timeZone OR (@capacity IS NOT NULL AND capacity IS NOT @capacity))`
  )
  const findParticipation = sqlite.prepare(
    `SELECT id, name, email, phone, party_size AS partySize, external_id AS externalId, status, session_id AS sessionId
     FROM participations WHERE provider = 'local' AND provider_id = ?`
  )
  const insertParticipation = sqlite.prepare(
    `INSERT INTO participations (provider, provider_id, external_id, session_id, name, sort_name, email, phone,
                                 search_codes, party_size, status, created_at, updated_at)
     VALUES ('local', @providerId, @externalId, @sessionId, @name, @sortName, @email, @phone,
             @searchCodes, @partySize, @status, @now, @now)`
  )
  const updateParticipation = sqlite.prepare(
    `UPDATE participations SET external_id = @externalId, name = @name, sort_name = @sortName, email = @email,
       phone = @phone, search_codes = @searchCodes, party_size = @partySize, status = @status, updated_at = @now
     WHERE id = @id`
  )
  const audit = sqlite.prepare(
    `INSERT INTO audit_log (at, desk_id, action, details) VALUES (@now, @deskId, 'import', @details)`
  )

  const write = sqlite.transaction((rows: RosterLine[], keys: string[], target: Plan['target']): ImportResult => {
    const now = ctx.now()
    const result: ImportResult = { created: 0, updated: 0, unchanged: 0, sessionsCreated: 0, sessionIds: [] }
    const sessionIds = new Map<string, number>()
    const sessionFor = (row: RosterLine): number => {
      if (target) return target.id
      const s = row.session!
      const key = sessionKey(s)
      let id = sessionIds.get(key)
      if (id !== undefined) return id
      id = findSession.get(key) as number | undefined
      if (id === undefined) {
        id = Number(insertSession.run({ providerId: key, ...s, now }).lastInsertRowid)
        result.sessionsCreated++
      } else {
        updateSession.run({ id, endsAt: s.endsAt, timeZone: s.timeZone, capacity: s.capacity, now })
      }
      sessionIds.set(key, id)
      return id
    }
    rows.forEach((row, i) => {
      const sessionId = sessionFor(row)
      const values = {
        providerId: keys[i],
        externalId: row.externalId,
        sessionId,
        name: row.name,
        sortName: foldText(row.name),
        email: row.email,
        phone: row.phone,
        searchCodes: buildSearchCodes([row.externalId], row.phone),
        partySize: row.partySize,
        status: row.status,
        now
      }
      const existing = findParticipation.get(keys[i]) as Record<string, unknown> | undefined
      if (!existing) {
        insertParticipation.run(values)
        result.created++
      } else if (
        existing.name !== row.name ||
        existing.email !== row.email ||
        existing.phone !== row.phone ||
        existing.partySize !== row.partySize ||
        existing.externalId !== row.externalId ||
        existing.status !== row.status
      ) {
        updateParticipation.run({ ...values, id: existing.id })
        result.updated++
      } else {
        result.unchanged++
      }
    })
    result.sessionIds = target ? [target.id] : [...sessionIds.values()]
    audit.run({
      now,
      deskId: ctx.deskId,
      details: JSON.stringify({ rows: rows.length, created: result.created, updated: result.updated, sessions: result.sessionIds })
    })
    return result
  })

  return {
    preview(request: ImportRequest): ImportPreview {
      const p = plan(request)
      const sessionsInFile = new Map<string, { title: string; startsAt: string; rows: number; exists: boolean }>()
      for (const row of p.rows) {
        const s = row.session
        const key = s ? sessionKey(s) : p.target!.providerId
        const entry = sessionsInFile.get(key) ?? {
          title: s ? s.title : p.target!.title,
          startsAt: new Date(s ? s.startsAt : p.target!.startsAt).toISOString(),
          rows: 0,
          exists: s ? findSession.get(key) !== undefined : true
        }
        entry.rows++
        sessionsInFile.set(key, entry)
      }
      return {
        headers: p.headers,
        mapping: p.mapping,
        totalRows: p.totalRows,
        validRows: p.rows.length,
        sample: p.rows.slice(0, SAMPLE_ROWS).map((r) => ({
          line: r.line,
          name: r.name,
          email: r.email,
          phone: r.phone,
          partySize: r.partySize,
          session: r.session?.title ?? p.target!.title
        })),
        sessions: [...sessionsInFile.values()],
        errors: p.errors.slice(0, MAX_LISTED_ERRORS),
        moreErrors: Math.max(0, p.errors.length - MAX_LISTED_ERRORS)
      }
    },

    commit(request: ImportRequest & { skipInvalidRows: boolean }): ImportResult {
      const p = plan(request)
      if (p.blocking) throw DeskError.because('invalid_input', p.blocking)
      if (p.errors.length > 0 && !request.skipInvalidRows) {
        const first = p.errors[0]!
        throw DeskError.because(
          'invalid_input',
          { reason: 'import_row_errors', params: { count: p.errors.length, line: first.line, problems: first.problems } },
          p.errors.slice(0, MAX_LISTED_ERRORS).map((e) => ({ path: `line ${e.line}`, problem: 'invalid' as const, limit: null, message: e.problems.map(english).join('; ') }))
        )
      }
      if (p.rows.length === 0) throw DeskError.because('invalid_input', { reason: 'import_no_rows', params: {} })
      return write.immediate(p.rows, rowKeys(p.rows, p.target), p.target)
    }
  }
}
