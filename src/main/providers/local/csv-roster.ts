/**
 * Reading a roster CSV into validated rows, with a per-line error report.
 *
 * csv-parse (the `csv` project: RFC 4180, streaming-grade, maintained for a decade) does the
 * parsing. At a record it cannot read (a stray or unclosed quote, a record over the size cap) we
 * stop and resume at the next physical line, so one broken line does not hide the errors after it,
 * and the desk sees every problem, each on its own line, in one report.
 */
import { parse, type CsvError, type InfoRecord } from 'csv-parse/sync'
import { DateTime } from 'luxon'
import { LIMITS, type ImportMapping, type ImportProblem, type ImportRowError, type ParticipationStatus } from '../../../shared/contract'
import { foldText } from '../../core/text'

export interface CsvRecord {
  line: number
  cells: string[]
}

export interface ParsedCsv {
  headers: string[]
  records: CsvRecord[]
  errors: ImportRowError[]
}

const MAX_RESUMES = 200

/** A line's error report: its problems as codes (the window words them). */
export function rowError(line: number, problems: ImportProblem[]): ImportRowError {
  return { line, problems }
}

function describeCsvError(err: CsvError): ImportProblem {
  switch (err.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return { reason: 'csv_record_too_long', params: { max: LIMITS.csvRecordChars } }
    case 'CSV_QUOTE_NOT_CLOSED':
      return { reason: 'csv_quote_not_closed', params: {} }
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return { reason: 'csv_quote_misplaced', params: {} }
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS': {
      const [expected, found] = (String(err.message).match(/\d+/g) ?? []).map(Number)
      if (expected !== undefined && found !== undefined) return { reason: 'csv_column_count', params: { expected, found } }
      return { reason: 'csv_other', params: { detail: String(err.message) } }
    }
    default:
      return { reason: 'csv_other', params: { detail: String(err.message) } }
  }
}

/** Offset of the start of 1-based `line` in `text`, or -1 past the end. */
function offsetOfLine(text: string, line: number, from = 0, fromLine = 1): number {
  let offset = from
  for (let l = fromLine; l < line; l++) {
    const nl = text.indexOf('\n', offset)
    if (nl === -1) return -1
    offset = nl + 1
  }
  return offset
}

/** Thrown from csv-parse's skip hook to end a pass at its first broken record. */
const STOP = Symbol('stop at the first broken record')

const lineBreaks = (cells: string[]) => cells.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0)

/**
 * Lines are counted here, not taken from csv-parse: its count takes a CRLF inside a quoted value
 * for two lines. A record starts on the line after the previous one ends (plus any empty lines
 * skipped) and spans as many more lines as its values hold line breaks.
 *
 * A broken record ends the pass there: after a stray quote the parser's idea of where records
 * begin cannot be trusted (it may swallow the lines after it into a value, or read them twice),
 * so the broken line is reported with its own reason and reading starts again on the next line.
 */
export function parseCsv(text: string): ParsedCsv {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const delimiter = sniffDelimiter(source)
  const records: CsvRecord[] = []
  const errors: ImportRowError[] = []
  let columns: number | undefined
  let startLine = 1
  let startOffset = 0
  let resumes = 0

  while (startOffset !== -1 && startOffset < source.length) {
    let lastEnd = startLine - 1
    let lastEmpty = 0
    let broken: { line: number; err: CsvError } | null = null
    try {
      parse(source.slice(startOffset), {
        delimiter,
        // Not guessed from the first line: a file saved with CRLF and appended to in an editor that
        // writes LF has both, and each ends its own line.
        record_delimiter: ['\r\n', '\n'],
        skip_empty_lines: true,
        trim: true,
        max_record_size: LIMITS.csvRecordChars,
        relax_column_count: true,
        skip_records_with_error: true,
        on_skip: (err: CsvError | undefined) => {
          if (!err) return undefined
          broken = { line: lastEnd + 1 + (Number(err.empty_lines ?? lastEmpty) - lastEmpty), err }
          throw STOP
        },
        on_record: (record: string[], info: InfoRecord) => {
          const line = lastEnd + 1 + (info.empty_lines - lastEmpty)
          lastEnd = line + lineBreaks(record)
          lastEmpty = info.empty_lines
          if (columns === undefined) columns = record.length
          if (record.length !== columns) {
            errors.push(rowError(line, [{ reason: 'csv_column_count', params: { expected: columns, found: record.length } }]))
          } else {
            records.push({ line, cells: record })
          }
          return null
        }
      })
    } catch (err) {
      if (err !== STOP) throw err
    }
    if (!broken) break
    const { line, err } = broken as { line: number; err: CsvError }
    errors.push(rowError(line, [describeCsvError(err)]))
    startOffset = offsetOfLine(source, line + 1, startOffset, startLine)
    startLine = line + 1
    if (++resumes > MAX_RESUMES) {
      if (startOffset !== -1 && startOffset < source.length) errors.push(rowError(startLine, [{ reason: 'csv_too_many_broken', params: {} }]))
      break
    }
  }
  const [header, ...rows] = records
  return { headers: header?.cells ?? [], records: rows, errors: errors.sort((a, b) => a.line - b.line) }
}

/** Comma by default; semicolon (what Excel writes in many European locales) or tab if the header says so. */
function sniffDelimiter(text: string): string {
  const firstLine = text.slice(0, Math.max(0, text.indexOf('\n')) || text.length)
  const counts = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length - 1] as const)
  counts.sort((a, b) => b[1] - a[1])
  return counts[0] && counts[0][1] > 0 ? counts[0][0] : ','
}

const SYNONYMS: Record<keyof ImportMapping, string[]> = {
  name: ['name', 'fullname', 'participant', 'participantname', 'attendee', 'attendeename', 'guest', 'member', 'customer', 'teilnehmer'],
  firstName: ['firstname', 'first', 'givenname', 'forename', 'vorname'],
  lastName: ['lastname', 'last', 'surname', 'familyname', 'nachname'],
  email: ['email', 'emailaddress', 'mail', 'emailadresse'],
  phone: ['phone', 'phonenumber', 'telephone', 'tel', 'mobile', 'cell', 'telefon', 'handy'],
  partySize: ['partysize', 'party', 'guests', 'seats', 'tickets', 'quantity', 'qty', 'persons', 'people', 'spots', 'anzahl', 'personen'],
  // The booking reference is what makes a re-import update people instead of adding them again,
  // so every usual header for it is known. Most specific first: a per-ticket code (what is
  // scanned) before a booking id, before an order number (one order can hold several tickets).
  externalId: [
    'externalid', 'ticketcode', 'barcode', 'barcodenumber', 'ticketid', 'ticketnumber', 'ticketno', 'ticketnr', 'ticketnummer',
    'bookingreference', 'bookingref', 'bookingid', 'bookingcode', 'bookingnumber', 'bookingno', 'bookingnr',
    'buchungsnummer', 'buchungsnr', 'buchungsid', 'buchungscode', 'buchungsreferenz',
    'reference', 'referencenumber', 'referenceno', 'ref', 'refno', 'referenz', 'referenznummer', 'referenznr',
    'confirmationnumber', 'confirmationcode', 'bestatigungsnummer',
    'ordernumber', 'orderno', 'ordernr', 'orderid', 'ordercode', 'order', 'bestellnummer', 'bestellnr', 'bestellid', 'bestellung',
    'auftragsnummer', 'auftragsnr', 'id', 'booking', 'buchung', 'ticket', 'code',
    'attendeenumber', 'attendeeid', 'participantnumber', 'participantid', 'teilnehmernummer', 'teilnehmernr',
    'customernumber', 'membernumber', 'kundennummer', 'kundennr', 'mitgliedsnummer', 'mitgliedsnr'
  ],
  status: ['status', 'bookingstatus'],
  sessionTitle: ['session', 'sessiontitle', 'sessionname', 'class', 'classname', 'event', 'eventname', 'eventtitle', 'course', 'title', 'kurs', 'veranstaltung'],
  sessionStart: ['start', 'starts', 'startsat', 'starttime', 'sessionstart', 'date', 'datetime', 'begin', 'beginn', 'when', 'datum'],
  sessionEnd: ['end', 'ends', 'endsat', 'endtime', 'sessionend', 'ende'],
  sessionTimeZone: ['timezone', 'tz', 'zone', 'zeitzone'],
  sessionCapacity: ['capacity', 'maxcapacity', 'maxparticipants', 'kapazitat']
}

/** "Order #" → "ordernumber", "Bestell-Nr." → "bestellnr", "Kapazität" → "kapazitat". */
const headerKey = (h: string) => foldText(h).replace(/#/g, 'number').replace(/[^a-z0-9]/g, '')

/** A best guess at which column is which, from the header row's words. */
export function guessMapping(headers: string[]): ImportMapping {
  const keys = headers.map(headerKey)
  const used = new Set<number>()
  const pick = (field: keyof ImportMapping): string | null => {
    for (const synonym of SYNONYMS[field]) {
      const i = keys.findIndex((k, idx) => !used.has(idx) && k === synonym)
      if (i !== -1) {
        used.add(i)
        return headers[i] ?? null
      }
    }
    return null
  }
  // Order matters: specific fields claim their columns before generic ones ("Session" vs "Name").
  const mapping = {} as ImportMapping
  for (const field of ['firstName', 'lastName', 'email', 'phone', 'partySize', 'status', 'sessionTimeZone', 'sessionCapacity', 'sessionStart', 'sessionEnd', 'sessionTitle', 'externalId', 'name'] as const) {
    mapping[field] = pick(field)
  }
  return mapping
}

export interface RosterLine {
  line: number
  name: string
  email: string | null
  phone: string | null
  partySize: number
  externalId: string | null
  status: ParticipationStatus
  /** Null when importing into a chosen session. */
  session: { title: string; startsAt: number; endsAt: number; timeZone: string; capacity: number | null } | null
}

const STATUS_WORDS: Record<string, ParticipationStatus> = {
  confirmed: 'CONFIRMED',
  booked: 'CONFIRMED',
  paid: 'CONFIRMED',
  bestatigt: 'CONFIRMED',
  pending: 'PENDING_CONFIRMATION',
  pendingconfirmation: 'PENDING_CONFIRMATION',
  unconfirmed: 'PENDING_CONFIRMATION',
  waiting: 'PENDING_CONFIRMATION',
  offen: 'PENDING_CONFIRMATION',
  cancelled: 'CANCELLED',
  canceled: 'CANCELLED',
  storniert: 'CANCELLED'
}

const DATE_FORMATS = ['yyyy-MM-dd HH:mm', 'yyyy-MM-dd H:mm', 'yyyy-MM-dd HH:mm:ss', 'dd.MM.yyyy HH:mm', 'd.M.yyyy H:mm', 'dd.MM.yyyy', 'yyyy-MM-dd']

/** Reads a session time; a value without an offset is in `zone`. */
function parseInstant(value: string, zone: string): DateTime | null {
  const iso = DateTime.fromISO(value, { zone, setZone: true })
  if (iso.isValid) return iso
  for (const format of DATE_FORMATS) {
    const dt = DateTime.fromFormat(value, format, { zone })
    if (dt.isValid) return dt
  }
  return null
}

function isZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Validates one CSV record against the mapping. Returns the row or the reasons it is rejected. */
export function readRosterLine(
  record: CsvRecord,
  headers: string[],
  mapping: ImportMapping,
  options: { timeZone: string; intoChosenSession: boolean }
): { row: RosterLine } | { errors: ImportProblem[] } {
  const cell = (field: keyof ImportMapping): string => {
    const column = mapping[field]
    if (column === null) return ''
    const index = headers.indexOf(column)
    return index === -1 ? '' : (record.cells[index] ?? '').trim()
  }
  const errors: ImportProblem[] = []
  const name = cell('name') || [cell('firstName'), cell('lastName')].filter(Boolean).join(' ')
  if (!name) errors.push({ reason: 'name_missing', params: {} })
  else if (name.length > LIMITS.name) errors.push({ reason: 'name_too_long', params: { max: LIMITS.name } })

  const partyText = cell('partySize')
  let partySize = 1
  if (partyText) {
    partySize = Number(partyText)
    if (!/^\d+$/.test(partyText) || partySize < 1 || partySize > LIMITS.partySize) {
      errors.push({ reason: 'party_size_invalid', params: { max: LIMITS.partySize, found: partyText.slice(0, 20) } })
    }
  }
  const email = cell('email') || null
  if (email && (email.length > 254 || !EMAIL.test(email))) errors.push({ reason: 'email_invalid', params: { value: email.slice(0, 60) } })
  const phone = cell('phone') || null
  if (phone && phone.length > 40) errors.push({ reason: 'phone_too_long', params: { max: 40 } })
  const externalId = cell('externalId') || null
  if (externalId && externalId.length > 250) errors.push({ reason: 'id_too_long', params: { max: 250 } })

  const statusText = cell('status')
  const status = statusText ? STATUS_WORDS[headerKey(statusText)] : 'CONFIRMED'
  if (!status) errors.push({ reason: 'status_invalid', params: { value: statusText.slice(0, 30) } })

  let session: RosterLine['session'] = null
  if (!options.intoChosenSession) {
    const title = cell('sessionTitle')
    const startText = cell('sessionStart')
    const zone = cell('sessionTimeZone') || options.timeZone
    if (!title) errors.push({ reason: 'session_title_missing', params: {} })
    else if (title.length > LIMITS.name) errors.push({ reason: 'session_title_too_long', params: { max: LIMITS.name } })
    if (!isZone(zone)) errors.push({ reason: 'time_zone_unknown', params: { value: zone.slice(0, 40) } })
    const start = startText && isZone(zone) ? parseInstant(startText, zone) : null
    if (!startText) errors.push({ reason: 'session_start_missing', params: {} })
    else if (isZone(zone) && !start) errors.push({ reason: 'session_start_invalid', params: { value: startText.slice(0, 40) } })
    const endText = cell('sessionEnd')
    let end = start ? start.plus({ hours: 1 }) : null
    if (endText && start) {
      const parsed = parseInstant(endText, zone) ?? (/^\d{1,2}:\d{2}$/.test(endText) ? DateTime.fromFormat(`${start.toFormat('yyyy-MM-dd')} ${endText}`, 'yyyy-MM-dd H:mm', { zone }) : null)
      if (!parsed || !parsed.isValid) errors.push({ reason: 'session_end_invalid', params: { value: endText.slice(0, 40) } })
      else if (parsed <= start) errors.push({ reason: 'session_end_before_start', params: {} })
      else end = parsed
    }
    const capacityText = cell('sessionCapacity')
    const capacity = capacityText ? Number(capacityText) : null
    if (capacityText && (!/^\d+$/.test(capacityText) || capacity! < 1 || capacity! > 100_000)) {
      errors.push({ reason: 'capacity_invalid', params: { max: 100_000, found: capacityText.slice(0, 20) } })
    }
    if (title && start && end && errors.length === 0) {
      session = { title, startsAt: start.toMillis(), endsAt: end.toMillis(), timeZone: zone, capacity }
    }
  }
  if (errors.length > 0 || !status) return { errors }
  return { row: { line: record.line, name, email, phone, partySize, externalId, status, session } }
}
