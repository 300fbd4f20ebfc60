/**
 * Printing at the desk, in plain Node: which badge to print (and whether it was printed before),
 * the print log, attendance sheets and marks typed back in from paper. The documents are HTML
 * (documents.ts); getting them onto paper is the carrier's job (Electron glue or the browser).
 */
import { randomBytes } from 'node:crypto'
import type { BadgeOutcome, BadgeSettings, PaperOutcome, PrinterSettings, SheetRecord } from '../../shared/contract'
import { badgeSize, PRINT_WORDS, type BadgeLayout, type PrintLanguage } from '../../shared/print'
import type { AttendanceService } from '../core/attendance'
import type { CoreContext } from '../core/context'
import { dayIn, spansDays } from '../core/days'
import { DeskError } from '../core/errors'
import type { RosterService } from '../core/roster'
import type { SessionService } from '../core/sessions'
import { foldText } from '../core/text'
import { parseRowCode, rowCode } from './codes'
import { badgeDocument, SHEET_CHUNK_ROWS, sheetDocument, type SheetRow } from './documents'

const DEFAULT_BADGE: BadgeSettings = { printOnCheckIn: false, layout: 'label_62x29', field: 'company' }
const DEFAULT_PRINTER: PrinterSettings = { mode: 'dialog', deviceName: null }

interface Person {
  id: number
  name: string
  partySize: number
  externalId: string | null
  bookingId: string | null
  raw: string | null
}

/** A company or organisation in the booking system's record, if it has one (Plandocket contacts do). */
export function companyOf(raw: string | null): string {
  if (!raw) return ''
  try {
    const record = JSON.parse(raw) as Record<string, unknown>
    for (const source of [record, record.contact as Record<string, unknown> | undefined]) {
      if (!source || typeof source !== 'object') continue
      for (const [key, value] of Object.entries(source)) {
        if (/^(company|company_?name|organi[sz]ation|firma)$/i.test(key) && typeof value === 'string' && value.trim()) return value.trim()
      }
    }
  } catch {
    /* not JSON: no company */
  }
  return ''
}

/** Sort key of a last name: "Anna Müller" → "muller anna"; "Müller, Anna" keeps its order. */
export function lastNameKey(name: string): string {
  const folded = foldText(name)
  if (name.includes(',')) return folded
  const words = folded.split(/\s+/).filter(Boolean)
  if (words.length < 2) return folded
  return `${words[words.length - 1]} ${words.slice(0, -1).join(' ')}`
}

const iso = (ms: number) => new Date(ms).toISOString()

export function createPrintService(ctx: CoreContext, sessions: SessionService, roster: RosterService, attendance: AttendanceService) {
  const sqlite = ctx.db.$client
  const settingsOf = sqlite.prepare<[number], { printOnCheckIn: number; layout: BadgeLayout; field: BadgeSettings['field'] }>(
    `SELECT print_on_check_in AS printOnCheckIn, layout, field FROM session_badges WHERE session_id = ?`
  )
  const saveSettings = sqlite.prepare(
    `INSERT INTO session_badges (session_id, print_on_check_in, layout, field) VALUES (@sessionId, @printOnCheckIn, @layout, @field)
     ON CONFLICT (session_id) DO UPDATE SET print_on_check_in = excluded.print_on_check_in, layout = excluded.layout, field = excluded.field`
  )
  const person = sqlite.prepare<[number], Person>(
    `SELECT id, name, party_size AS partySize, external_id AS externalId, booking_id AS bookingId, raw FROM participations WHERE id = ?`
  )
  const lastPrint = sqlite.prepare<[number], { at: number; deskName: string; layout: BadgeLayout }>(
    `SELECT at, desk_name AS deskName, layout FROM badge_prints WHERE participation_id = ? ORDER BY at DESC, id DESC LIMIT 1`
  )
  const insertPrint = sqlite.prepare(
    `INSERT INTO badge_prints (participation_id, session_id, at, desk_id, desk_name, layout) VALUES (@participationId, @sessionId, @at, @deskId, @deskName, @layout)`
  )
  const printById = sqlite.prepare<[number], { participationId: number; sessionId: number; layout: BadgeLayout }>(
    `SELECT participation_id AS participationId, session_id AS sessionId, layout FROM badge_prints WHERE id = ?`
  )
  const audit = sqlite.prepare(
    `INSERT INTO audit_log (at, desk_id, action, session_id, participation_id, op_id, details) VALUES (@at, @deskId, @action, @sessionId, @participationId, NULL, @details)`
  )
  const insertSheet = sqlite.prepare(`INSERT INTO printed_sheets (session_id, at, desk_id, rows) VALUES (?, ?, ?, ?)`)
  const sheetById = sqlite.prepare<[number], { sessionId: number; at: number; rows: number }>(`SELECT session_id AS sessionId, at, rows FROM printed_sheets WHERE id = ?`)
  const latestSheet = sqlite.prepare<[number], { id: number; at: number; rows: number }>(
    `SELECT id, at, rows FROM printed_sheets WHERE session_id = ? ORDER BY at DESC, id DESC LIMIT 1`
  )
  const metaGet = sqlite.prepare<[string], string>(`SELECT value FROM desk_meta WHERE key = ?`).pluck()
  const metaSet = sqlite.prepare(`INSERT INTO desk_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
  // Everyone on a session's roster who can arrive, for a sheet: only what sorting needs, first.
  const rosterOf = (course: boolean) =>
    sqlite
      .prepare(
        `SELECT p.id, p.name FROM participations p
         WHERE ${course ? '(p.session_id = @sessionId OR p.schedule_id = @scheduleId)' : 'p.session_id = @sessionId'}
           AND p.removed_at IS NULL AND p.status <> 'CANCELLED'`
      )
      .raw(true)
  const rosterOwn = rosterOf(false)
  const rosterCourse = rosterOf(true)
  const rowsByIds = sqlite
    .prepare(
      `SELECT p.id, p.name, p.party_size, a.status, a.marked_at, a.day
       FROM json_each(@ids) j JOIN participations p ON p.id = j.value
       LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = @sessionId ORDER BY j.key`
    )
    .raw(true)
  const otherSessionOf = sqlite.prepare<[number], { title: string; startsAt: number; timeZone: string }>(
    `SELECT title, starts_at AS startsAt, time_zone AS timeZone FROM sessions WHERE id = ?`
  )
  const membership = sqlite.prepare<[number], { sessionId: number | null; scheduleId: string | null; name: string; status: string; partySize: number }>(
    `SELECT session_id AS sessionId, schedule_id AS scheduleId, name, status, party_size AS partySize FROM participations WHERE id = ? AND removed_at IS NULL`
  )
  const sessionOfSchedule = sqlite.prepare<[string, number], { title: string; startsAt: number; timeZone: string }>(
    `SELECT title, starts_at AS startsAt, time_zone AS timeZone FROM sessions WHERE schedule_id = ? ORDER BY abs(starts_at - ?) LIMIT 1`
  )

  function badgeSettings(sessionId: number): BadgeSettings {
    sessions.require(sessionId)
    const row = settingsOf.get(sessionId)
    return row ? { printOnCheckIn: row.printOnCheckIn === 1, layout: row.layout, field: row.field } : { ...DEFAULT_BADGE }
  }

  /** What a badge's QR code holds: the booking reference the desk's scanner finds the person by. */
  const referenceOf = (p: Person) => p.bookingId ?? p.externalId ?? String(p.id)

  const recordPrint = sqlite.transaction((sessionId: number, participationId: number, layout: BadgeLayout, again: boolean) => {
    const at = ctx.now()
    const printId = Number(insertPrint.run({ participationId, sessionId, at, deskId: ctx.deskId, deskName: ctx.deskName, layout }).lastInsertRowid)
    audit.run({ at, deskId: ctx.deskId, action: 'badge_print', sessionId, participationId, details: JSON.stringify({ layout, deskName: ctx.deskName, ...(again ? { again: true } : {}) }) })
    return printId
  })

  /** Arrived (and perhaps left again since); a multi-day session counts the sheet's own day only. */
  const isArrived = (status: string | null, markedAt: number | null, day: string | null, session: { startsAt: number; endsAt: number; timeZone: string }, today: string) => {
    if (status !== 'ATTENDED') return false
    if (!spansDays(session)) return true
    return (day ?? (markedAt === null ? null : dayIn(markedAt, session.timeZone))) === today
  }

  return {
    badgeSettings,
    saveBadgeSettings(input: BadgeSettings & { sessionId: number }): BadgeSettings {
      sessions.require(input.sessionId)
      saveSettings.run({ sessionId: input.sessionId, printOnCheckIn: input.printOnCheckIn ? 1 : 0, layout: input.layout, field: input.field })
      return badgeSettings(input.sessionId)
    },

    /** Records a badge for printing, unless one was printed before and the desk has not said "again". */
    badge(input: { sessionId: number; participationId: number; again: boolean; language: PrintLanguage }): BadgeOutcome {
      const session = sessions.require(input.sessionId)
      const member = roster.member(session.id, session.scheduleId, input.participationId)
      if (!member) throw DeskError.because('not_found', { reason: 'not_on_roster', params: {} })
      const previous = lastPrint.get(input.participationId)
      if (previous && !input.again) {
        return { outcome: 'ask', name: member.name, previous: { at: iso(previous.at), deskName: previous.deskName, layout: previous.layout } }
      }
      const { layout } = badgeSettings(session.id)
      const printId = recordPrint.immediate(session.id, input.participationId, layout, Boolean(previous))
      return {
        outcome: 'printed',
        name: member.name,
        printId,
        layout,
        ...badgeSize(layout),
        // The paper page is the layout's (a sheet of 8 is A4, a label is the label).
        document: `/print/badge/${printId}?lang=${input.language}`,
        delivered: 'window'
      }
    },

    /** The badge document of a recorded print (what the printer or the browser prints). */
    badgeDocument(printId: number, language: PrintLanguage, nonce?: string): { html: string; layout: BadgeLayout } {
      const print = printById.get(printId)
      if (!print) throw DeskError.because('not_found', { reason: 'not_on_roster', params: {} })
      const session = sessions.require(print.sessionId)
      const p = person.get(print.participationId)!
      const { field } = badgeSettings(session.id)
      const words = PRINT_WORDS[language]
      const text = field === 'company' ? companyOf(p.raw) : field === 'party_size' ? words.partyOf(p.partySize) : field === 'session' ? session.title : ''
      return { html: badgeDocument({ name: p.name, field: text, reference: referenceOf(p) }, print.layout, { nonce, title: p.name }), layout: print.layout }
    },

    /** Records an attendance sheet printed now: its time is the default time of marks entered from it. */
    sheet(input: { sessionId: number }): SheetRecord {
      const session = sessions.require(input.sessionId)
      const count = (session.scheduleId ? rosterCourse : rosterOwn).all({ sessionId: session.id, scheduleId: session.scheduleId }).length
      const at = ctx.now()
      const sheetId = Number(
        sqlite.transaction(() => {
          const id = insertSheet.run(session.id, at, ctx.deskId, count).lastInsertRowid
          audit.run({ at, deskId: ctx.deskId, action: 'sheet_print', sessionId: session.id, participationId: null, details: JSON.stringify({ rows: count }) })
          return id
        }).immediate()
      )
      return { sheetId, printedAt: iso(at), rows: count }
    },

    lastSheet(sessionId: number): SheetRecord | null {
      sessions.require(sessionId)
      const s = latestSheet.get(sessionId)
      return s ? { sheetId: s.id, printedAt: iso(s.at), rows: s.rows } : null
    },

    /**
     * A sheet as a stream of HTML pieces. Only ids and sort keys are held for the whole roster
     * (a few MB at 100,000 people); each piece's rows are read when it is written.
     */
    sheetDocument(sheetId: number, language: PrintLanguage, nonce?: string): Generator<string> {
      const sheet = sheetById.get(sheetId)
      if (!sheet) throw DeskError.because('not_found', { reason: 'session_not_found', params: {} })
      const session = sessions.require(sheet.sessionId)
      const keyed: { key: string; id: number }[] = []
      for (const [id, name] of (session.scheduleId ? rosterCourse : rosterOwn).iterate({ sessionId: session.id, scheduleId: session.scheduleId }) as IterableIterator<[number, string]>) {
        keyed.push({ key: lastNameKey(name), id })
      }
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id - b.id))
      const today = dayIn(sheet.at, session.timeZone)
      function* chunks(): Generator<SheetRow[]> {
        for (let i = 0; i < keyed.length; i += SHEET_CHUNK_ROWS) {
          const ids = keyed.slice(i, i + SHEET_CHUNK_ROWS).map((k) => k.id)
          const rows = rowsByIds.all({ ids: JSON.stringify(ids), sessionId: session.id }) as [number, string, number, string | null, number | null, string | null][]
          yield rows.map(([id, name, partySize, status, markedAt, day]) => ({
            name,
            partySize,
            code: rowCode(id),
            // Arrived before the sheet was printed: pre-ticked with the time.
            arrivedAt: markedAt !== null && markedAt <= sheet!.at && isArrived(status, markedAt, day, session, today) ? markedAt : null
          }))
        }
      }
      return sheetDocument({ title: session.title, startsAt: session.startsAt, endsAt: session.endsAt, timeZone: session.timeZone, printedAt: sheet.at, rows: keyed.length }, chunks(), language, { nonce })
    },

    /** One code typed or scanned from a sheet: a mark flagged "from paper", or why not. */
    paperMark(input: { sessionId: number; code: string; writtenAt: string | null }): PaperOutcome {
      const session = sessions.require(input.sessionId)
      const parsed = parseRowCode(input.code)
      const shown = input.code.trim().toUpperCase()
      const none = { name: null, markedAt: null, otherSession: null, row: null, refusal: null }
      if (!parsed.ok) {
        return { outcome: parsed.problem === 'typo' ? 'typo' : 'not_a_code', code: shown, ...none }
      }
      const code = rowCode(parsed.participationId)
      const p = membership.get(parsed.participationId)
      if (!p) return { outcome: 'unknown', code, ...none }
      const onRoster = p.sessionId === session.id || (session.scheduleId !== null && p.scheduleId === session.scheduleId)
      if (!onRoster) {
        const other = p.sessionId !== null ? otherSessionOf.get(p.sessionId) : sessionOfSchedule.get(p.scheduleId ?? '', session.startsAt)
        return {
          outcome: 'wrong_session',
          code,
          ...none,
          name: p.name,
          otherSession: other ? { title: other.title, startsAt: iso(other.startsAt), timeZone: other.timeZone } : null
        }
      }
      let writtenAt: number
      if (input.writtenAt === null) {
        const sheet = latestSheet.get(session.id)
        if (!sheet) throw DeskError.because('invalid_input', { reason: 'no_sheet_printed', params: {} })
        writtenAt = sheet.at
      } else writtenAt = Date.parse(input.writtenAt)
      if (writtenAt > ctx.now() + 60_000) {
        throw DeskError.because('invalid_input', { reason: 'paper_time_in_future', params: {} })
      }
      const current = roster.row(session.id, parsed.participationId)
      const a = current.attendance
      if (a.status === 'ATTENDED' && !a.earlierDay) {
        return { outcome: 'already', code, name: p.name, markedAt: a.markedAt, otherSession: null, row: current, refusal: null }
      }
      try {
        const row = attendance.fromPaper({ sessionId: session.id, participationId: parsed.participationId, attendees: p.partySize, writtenAt })
        return { outcome: 'marked', code, name: p.name, markedAt: row.attendance.markedAt, otherSession: null, row, refusal: null }
      } catch (err) {
        if (err instanceof DeskError) return { outcome: 'refused', code, name: p.name, markedAt: null, refusal: err.detail, otherSession: null, row: current }
        throw err
      }
    },

    printer(): PrinterSettings {
      const stored = metaGet.get('printer')
      if (!stored) return { ...DEFAULT_PRINTER }
      try {
        return { ...DEFAULT_PRINTER, ...(JSON.parse(stored) as PrinterSettings) }
      } catch {
        return { ...DEFAULT_PRINTER }
      }
    },
    savePrinter(settings: PrinterSettings): PrinterSettings {
      metaSet.run('printer', JSON.stringify({ mode: settings.mode, deviceName: settings.deviceName || null }))
      return settings
    },
    /** A fresh nonce for the one inline script of a document the browser prints itself. */
    nonce: () => randomBytes(16).toString('base64')
  }
}

export type PrintService = ReturnType<typeof createPrintService>

/** The print service's documents as the web desk serves them (null: no such print or sheet). */
export function printDocuments(print: PrintService) {
  return (kind: 'badge' | 'sheet', id: number, language: PrintLanguage, nonce: string | undefined): Iterable<string> | null => {
    try {
      return kind === 'badge' ? [print.badgeDocument(id, language, nonce).html] : print.sheetDocument(id, language, nonce)
    } catch (err) {
      if (err instanceof DeskError) return null
      throw err
    }
  }
}
