/**
 * The one typed contract between the renderer and main.
 *
 * Every call the renderer can make is listed here with the schema of its input and output. The
 * preload exposes exactly these calls, main registers exactly these handlers, and the web transport
 * serves exactly these routes; a test checks all three stay in step. Inputs are validated in main at
 * the boundary with these schemas (zod: a well-kept library whose schemas double as TS types, so the
 * contract cannot drift from the code that uses it).
 */
import { EXPORT_COLUMNS, EXPORT_LANGUAGES } from './export-columns'
import { BADGE_FIELDS, BADGE_LAYOUT_NAMES, PRINT_LANGUAGES } from './print'
import { z } from 'zod'
import { HistoryPeriod, PersonHistory, SeriesStats } from './history'
export { HISTORY_PERIODS, HistoryFigures, PersonHistory, SeriesStats } from './history'

/** Hard caps that keep one call from exhausting main; generous for a real desk. */
export const LIMITS = {
  /**
   * A roster CSV, in characters (the window also refuses a file of more bytes): 100,000 rows of
   * ~160 characters, a large ticketing export. A bigger roster comes from a booking system's sync,
   * not a file. Kept below `requestBytes` so the largest legitimate import always fits a request.
   */
  csvChars: 16 * 1024 * 1024,
  /**
   * The web desk's request body cap, in bytes: the largest import (csvChars, sent as a JSON string)
   * plus 2 MB for JSON's escaping of its quotes and line breaks (an escape per 8 bytes of file)
   * and the call's other fields. Larger bodies are refused before they are read into memory.
   */
  requestBytes: 18 * 1024 * 1024,
  /** One CSV record (a line, or a quoted multi-line record). */
  csvRecordChars: 64 * 1024,
  rosterPage: 500,
  search: 200,
  partySize: 1000,
  name: 200
} as const

const id = z.number().int().positive()
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
const isoInstant = z.iso.datetime({ offset: true })
const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz })
      return true
    } catch {
      return false
    }
  }, 'unknown IANA time zone')

/**
 * Why main said what it said, as a stable machine code (`reason`) with typed parameters (`params`).
 * Main still sends an English `message` next to it (logs, tests, and the fallback for a window that
 * does not know the code); the window words the code in its own language. Text that comes verbatim
 * from a booking system stays as it is, inside the params.
 */
const reason = <R extends string, P extends z.ZodRawShape>(code: R, params: P) => z.object({ reason: z.literal(code), params: z.object(params) })
const int = z.number().int()
const service = z.enum(['local', 'wix', 'plandocket'])

/** Admin actions that need the PIN in kiosk mode. */
export const AdminAction = z.enum([
  'mark_no_shows',
  'close_session',
  'see_audit',
  'change_pin',
  'import_roster',
  'export_roster',
  'resolve_sync',
  'open_setup',
  'change_setup',
  'test_connection',
  // Printing (badges, sheets, paper marks).
  'reprint_badge',
  'print_sheet',
  'enter_paper_marks'
])
export type AdminAction = z.infer<typeof AdminAction>

/** What is wrong with one line of a roster CSV (several can apply to one line). */
export const ImportProblem = z.discriminatedUnion('reason', [
  reason('csv_record_too_long', { max: int }),
  reason('csv_quote_not_closed', {}),
  reason('csv_quote_misplaced', {}),
  reason('csv_column_count', { expected: int, found: int }),
  reason('csv_too_many_broken', {}),
  /** csv-parse's own words for a problem the desk has no code for. */
  reason('csv_other', { detail: z.string() }),
  reason('name_missing', {}),
  reason('name_too_long', { max: int }),
  reason('party_size_invalid', { max: int, found: z.string() }),
  reason('email_invalid', { value: z.string() }),
  reason('phone_too_long', { max: int }),
  reason('id_too_long', { max: int }),
  reason('status_invalid', { value: z.string() }),
  reason('session_title_missing', {}),
  reason('session_title_too_long', { max: int }),
  reason('time_zone_unknown', { value: z.string() }),
  reason('session_start_missing', {}),
  reason('session_start_invalid', { value: z.string() }),
  reason('session_end_invalid', { value: z.string() }),
  reason('session_end_before_start', {}),
  reason('capacity_invalid', { max: int, found: z.string() }),
  /** The mapping cannot work: said once, on line 1. */
  reason('import_no_name_column', {}),
  reason('import_no_session_columns', {})
])
export type ImportProblem = z.infer<typeof ImportProblem>
export type ImportProblemCode = ImportProblem['reason']

/** A refusal from a desk service (a call's error, or a scan that was refused). */
export const DeskReason = z.discriminatedUnion('reason', [
  // Kiosk PIN.
  reason('pin_not_set', {}),
  reason('pin_set_first', {}),
  reason('pin_current_needed', {}),
  reason('pin_wrong', { attemptsLeft: int }),
  /** The wrong PIN that locked PIN entry. */
  reason('pin_wrong_locked', { until: isoInstant, seconds: int }),
  reason('pin_locked', { until: isoInstant, seconds: int }),
  reason('admin_pin_needed', { action: AdminAction }),
  // Sessions and marks.
  reason('session_not_found', {}),
  reason('date_invalid', { date: z.string() }),
  reason('session_cancelled', { title: z.string() }),
  reason('not_on_roster', {}),
  reason('nothing_to_undo', {}),
  reason('booking_cancelled', { name: z.string() }),
  reason('confirm_in_wix_bookings', { name: z.string() }),
  reason('over_party', { name: z.string(), booked: int, attendees: int }),
  reason('not_inside', { name: z.string() }),
  /** The booking system requires an email for a new participant (Plandocket). */
  reason('email_required', { service: z.enum(['wix', 'plandocket']) }),
  // Sync decisions and set-up.
  reason('problem_resolved', {}),
  reason('problem_superseded', {}),
  reason('api_key_needed', { provider: z.enum(['wix', 'plandocket']) }),
  // Roster import.
  reason('import_empty', {}),
  reason('import_column_missing', { column: z.string(), field: z.string() }),
  reason('import_not_local', { title: z.string(), provider: service }),
  reason('import_row_errors', { count: int, line: int, problems: z.array(ImportProblem) }),
  reason('import_no_rows', {}),
  /** A web desk request body over LIMITS.requestBytes (in MB), refused unread. */
  reason('request_too_large', { maxMb: int }),
  // Printing: the printer's own words in `detail`; the check-in before it stands.
  reason('printer_failed', { detail: z.string() }),
  reason('no_sheet_printed', {}),
  reason('paper_time_in_future', {}),
  ...ImportProblem.options
])
export type DeskReason = z.infer<typeof DeskReason>
export type DeskReasonCode = DeskReason['reason']

/** Why a scan answered what it did. */
export const ScanReason = z.discriminatedUnion('reason', [
  reason('scan_checked_in', { name: z.string(), partySize: int }),
  reason('scan_already', { name: z.string() }),
  reason('scan_checked_out', { name: z.string() }),
  reason('scan_unknown', { code: z.string() }),
  reason('scan_wrong_session', { name: z.string(), title: z.string(), startsAt: isoInstant, timeZone: z.string() }),
  reason('scan_not_booked_here', { name: z.string() }),
  /** A refusal without a code: the window shows `message` as it is. */
  reason('unspecified', {}),
  ...DeskReason.options
])
export type ScanReason = z.infer<typeof ScanReason>

/** A permission (Wix) or scope (Plandocket) a key lacks, by the service's own name, and what needs it. */
export const MissingPermission = z.object({
  name: z.string(),
  kind: z.enum(['permission', 'scope']),
  use: z.enum(['sessions', 'roster', 'check_ins', 'walk_ins'])
})
export type MissingPermission = z.infer<typeof MissingPermission>

/** Why sending or downloading failed, or why a mark was set aside. */
export const SyncReason = z.discriminatedUnion('reason', [
  reason('sync_timeout', { service }),
  reason('sync_no_connection', { service }),
  reason('sync_server_error', { service, status: z.string() }),
  /** `detail` says what was wrong with the answer, in the desk service's (English) words. */
  reason('sync_bad_response', { service, detail: z.string() }),
  reason('sync_rate_limited', { service }),
  /** The desk's own hourly request budget holds background reads back for sending marks. */
  reason('sync_budget_held', { service }),
  reason('sync_auth', { service }),
  /** 403: the key works but lacks what this API needs; `blocked` says which half of sync waits. */
  reason('sync_forbidden', { service, permission: MissingPermission, blocked: z.enum(['send', 'download']) }),
  /** Another station deleted a check-in while this desk held a newer unsent mark for the person. */
  reason('sync_deleted_elsewhere', { service }),
  /** The person is no longer booked in the service (removed there) while this desk held a mark. */
  reason('sync_removed_upstream', { service }),
  reason('sync_gone', {}),
  reason('sync_no_answer', {}),
  reason('sync_internal', { detail: z.string() }),
  /** The booking system's own words (e.g. a Wix error body), shown as they are. */
  reason('provider_said', { text: z.string() })
])
export type SyncReason = z.infer<typeof SyncReason>

export const AttendanceStatus = z.enum(['NOT_SET', 'ATTENDED', 'NOT_ATTENDED'])
export type AttendanceStatus = z.infer<typeof AttendanceStatus>

export const ParticipationStatus = z.enum(['CONFIRMED', 'PENDING_CONFIRMATION', 'CANCELLED'])
export type ParticipationStatus = z.infer<typeof ParticipationStatus>

export const ProviderName = z.enum(['local', 'wix', 'plandocket'])
export type ProviderName = z.infer<typeof ProviderName>

export const SessionCounts = z.object({
  /** People who arrived: the sum of attendees over checked-in participations. */
  arrivedPeople: z.number().int(),
  /** People expected: the sum of party sizes over participations that are not cancelled. */
  expectedPeople: z.number().int(),
  capacity: z.number().int().nullable(),
  participations: z.number().int(),
  checkedIn: z.number().int(),
  /** Checked in and not checked out again (people, like arrivedPeople). */
  insideNow: z.number().int().default(0),
  noShows: z.number().int(),
  pendingConfirmations: z.number().int()
})
export type SessionCounts = z.infer<typeof SessionCounts>

export const Session = z.object({
  id,
  provider: ProviderName,
  providerId: z.string(),
  title: z.string(),
  startsAt: isoInstant,
  endsAt: isoInstant,
  timeZone: z.string(),
  capacity: z.number().int().nullable(),
  kind: z.string(),
  status: z.enum(['CONFIRMED', 'CANCELLED']),
  scheduleId: z.string().nullable(),
  counts: SessionCounts
})
export type Session = z.infer<typeof Session>

export const Attendance = z.object({
  status: AttendanceStatus,
  attendees: z.number().int(),
  /** When the desk made the mark (the desk's clock), ISO instant. */
  markedAt: isoInstant.nullable(),
  deskId: z.string().nullable(),
  /** Whether the last mark on this row can be undone. */
  canUndo: z.boolean(),
  /** When the person left again; null while inside (or never arrived). */
  checkedOutAt: isoInstant.nullable().default(null),
  /** The mark is from an earlier day of a multi-day session: today they have not arrived yet. */
  earlierDay: z.boolean().default(false),
  /** Another station's name when the mark was made there (Plandocket stations). */
  station: z.string().nullable().default(null)
})
export type Attendance = z.infer<typeof Attendance>

export const RosterRow = z.object({
  participationId: id,
  sessionId: id,
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  externalId: z.string().nullable(),
  partySize: z.number().int(),
  status: ParticipationStatus,
  isWalkIn: z.boolean(),
  /**
   * Why this row stays on this desk only and is never sent to the booking system (null: it syncs
   * as usual). bookings_walk_in: a walk-in at a Wix Bookings class (Bookings attendance needs a
   * booking, and Bookings' participations may not be created by an app).
   */
  localOnly: z.enum(['bookings_walk_in']).nullable(),
  /** Where a pending booking is confirmed when the desk does not offer it (null: Confirm here). */
  confirmElsewhere: z.enum(['wix_bookings']).nullable(),
  attendance: Attendance
})
export type RosterRow = z.infer<typeof RosterRow>

/** Which CSV column (by header text) feeds which roster field; null = not imported. */
export const ImportMapping = z.object({
  name: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  partySize: z.string().nullable(),
  externalId: z.string().nullable(),
  status: z.string().nullable(),
  sessionTitle: z.string().nullable(),
  sessionStart: z.string().nullable(),
  sessionEnd: z.string().nullable(),
  sessionTimeZone: z.string().nullable(),
  sessionCapacity: z.string().nullable()
})
export type ImportMapping = z.infer<typeof ImportMapping>
export const IMPORT_FIELDS = ImportMapping.keyof().options

export const ImportRequest = z.object({
  csv: z.string().max(LIMITS.csvChars, `the file is larger than ${LIMITS.csvChars / 1024 / 1024} MB`),
  /** Omit to let Rollcall guess from the header row. */
  mapping: ImportMapping.optional(),
  /** Import every row into this session instead of sessions named by columns. */
  targetSessionId: id.optional(),
  /** Zone of session times in the file that carry no offset (the desk's zone by default). */
  timeZone
})
export type ImportRequest = z.infer<typeof ImportRequest>

export const ImportRowError = z.object({
  /** 1-based line number in the file where the record starts. */
  line: z.number().int(),
  /** In English (logs, fallback); `problems` says the same as codes. */
  message: z.string(),
  problems: z.array(ImportProblem)
})
export type ImportRowError = z.infer<typeof ImportRowError>

export const ImportPreviewRow = z.object({
  line: z.number().int(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  partySize: z.number().int(),
  session: z.string()
})

export const ImportPreview = z.object({
  headers: z.array(z.string()),
  mapping: ImportMapping,
  totalRows: z.number().int(),
  validRows: z.number().int(),
  sample: z.array(ImportPreviewRow),
  sessions: z.array(z.object({ title: z.string(), startsAt: isoInstant, rows: z.number().int(), exists: z.boolean() })),
  errors: z.array(ImportRowError),
  /** Errors beyond the ones listed. */
  moreErrors: z.number().int()
})
export type ImportPreview = z.infer<typeof ImportPreview>

export const ImportResult = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  sessionsCreated: z.number().int(),
  sessionIds: z.array(id)
})
export type ImportResult = z.infer<typeof ImportResult>

export const ExportFile = z.object({ fileName: z.string(), csv: z.string(), rows: z.number().int() })

export { EXPORT_COLUMNS }
export const ExportColumn = z.enum(EXPORT_COLUMNS)
export type ExportColumn = z.infer<typeof ExportColumn>
const exportColumns = z.array(ExportColumn).min(1, 'choose at least one column').max(EXPORT_COLUMNS.length).optional()
/** The window's language: the file's header row and the desk's words in it are written in it. */
export const ExportLanguage = z.enum(EXPORT_LANGUAGES)
const exportLanguage = ExportLanguage.default('en')

export const ScanOutcome = z
  .object({
    /** checked_in: green; already: amber (with when and where); unknown / wrong_session: red, nothing changed. */
    outcome: z.enum(['checked_in', 'checked_out', 'already', 'unknown', 'wrong_session', 'refused']),
    /** In English; `reason` and `params` say the same for the window to word. */
    message: z.string(),
    row: RosterRow.nullable(),
    /** For wrong_session: the session the code belongs to (its times are in its own zone). */
    otherSession: z.object({ id, title: z.string(), startsAt: isoInstant, timeZone: z.string() }).nullable()
  })
  .and(ScanReason)
export type ScanOutcome = z.infer<typeof ScanOutcome>

export const AuditEntry = z.object({
  id,
  at: isoInstant,
  deskId: z.string(),
  action: z.string(),
  sessionTitle: z.string().nullable(),
  personName: z.string().nullable(),
  details: z.unknown(),
  /** The booking system's side: null when nothing needs sending (local-only, imports). */
  /** `error` in the desk service's English; `errorReason` the same as a code, for the window to word. */
  sync: z.object({ state: z.string(), uploadedAt: isoInstant.nullable(), error: z.string().nullable(), errorReason: SyncReason.nullable() }).nullable()
})
export type AuditEntry = z.infer<typeof AuditEntry>

export const KioskStatus = z.object({
  enabled: z.boolean(),
  /** Attendees check themselves in: list hidden until 3 characters, contact details masked. */
  selfService: z.boolean(),
  pinSet: z.boolean(),
  /** After 5 wrong PINs the kiosk refuses every PIN until then. */
  lockedUntil: isoInstant.nullable(),
  attemptsLeft: z.number().int()
})
export type KioskStatus = z.infer<typeof KioskStatus>
const pin = z.string().regex(/^\d{4,12}$/, 'a PIN is 4 to 12 digits')
export type ExportFile = z.infer<typeof ExportFile>

export const DeskInfo = z.object({
  deskId: z.string(),
  deskName: z.string(),
  provider: ProviderName,
  version: z.string()
})
export type DeskInfo = z.infer<typeof DeskInfo>

export const SyncStatus = z.object({
  provider: ProviderName,
  /** local: nothing to sync to; the rest say what the engine is doing now. */
  state: z.enum(['local', 'idle', 'syncing', 'offline', 'retrying', 'sign_in_needed', 'permission_needed']),
  /** null until the service has answered (or failed to) since the last change of settings. */
  online: z.boolean().nullable(),
  /** Marks made at this desk not yet accepted by the booking system. */
  pending: z.number().int(),
  /** Marks set aside (rejected or in conflict) that need the desk's decision. */
  problems: z.number().int(),
  lastSuccessAt: isoInstant.nullable(),
  lastAttemptAt: isoInstant.nullable(),
  lastError: z.string().nullable(),
  /** `lastError` as codes: why sending (`send`), signing in (`sign_in`) or downloading (`download`) failed. */
  errors: z.array(z.object({ stage: z.enum(['send', 'sign_in', 'download']), message: z.string() }).and(SyncReason)),
  /** The booking system's clock minus ours, from its Date header. */
  clockOffsetMs: z.number().nullable(),
  /** A download under way. */
  /** A download under way: what (the day's sessions, or a roster) and how far. */
  pull: z.object({ stage: z.enum(['sessions', 'roster']), done: z.number().int(), total: z.number().int().nullable() }).nullable(),
  /** Goes up whenever synced data changed the replica: the renderer refetches what it shows. */
  dataVersion: z.number().int(),
  /** Requests sent in the last hour against the desk's budget (providers that limit requests). */
  requests: z.object({ used: z.number().int(), budget: z.number().int(), serviceRemaining: z.number().int().nullable() }).nullable().default(null)
})
export type SyncStatus = z.infer<typeof SyncStatus>

export const SyncProblem = z
  .object({
    opId: z.string(),
    kind: z.string(),
    state: z.enum(['rejected', 'conflict']),
    /** In English or the booking system's words; `reason` and `params` say it as codes. */
    message: z.string(),
    /** What the desk wanted, in words: "check in 2", "mark as no-show", "add as walk-in". */
    wanted: z.string(),
    /** `wanted` as a code: attendees for check_in. */
    intent: z.object({ kind: z.enum(['check_in', 'check_out', 'no_show', 'clear', 'walk_in', 'confirm']), attendees: z.number().int() }),
    personName: z.string().nullable(),
    sessionTitle: z.string().nullable(),
    createdAt: isoInstant,
    attempts: z.number().int()
  })
  .and(SyncReason)
export type SyncProblem = z.infer<typeof SyncProblem>

const baseUrl = z
  .string()
  .trim()
  .max(300)
  .refine((u) => {
    try {
      const url = new URL(u)
      return url.protocol === 'https:' || url.protocol === 'http:'
    } catch {
      return false
    }
  }, 'must be an http(s) URL')

const historyDays = z.number().int().min(0).max(365).optional()

export const WixSettingsInput = z
  .object({
    siteId: z.string().trim().min(1, 'the site id is required').max(100),
    /** Omit to keep the stored key. */
    apiKey: z.string().trim().min(1).max(4096).optional(),
    baseUrl: baseUrl.optional(),
    /** The extendedFields namespace that holds check-ins on non-Bookings events. */
    namespace: z.string().trim().regex(/^[A-Za-z0-9_@./-]{1,100}$/, 'letters, digits and _ @ . / - only').default('@rollcall/checkin'),
    /** Days of past attendance the pull brings for the history (0 = none). */
    historyDays
  })
  .strict()

export const PlandocketSettingsInput = z
  .object({
    baseUrl: baseUrl,
    apiKey: z.string().trim().min(1).max(4096).optional(),
    /** List events hidden in Plandocket (`is_visible` false) too. */
    showHidden: z.boolean().optional(),
    /** Requests this desk may send per hour (its share of the account's plan limit). */
    requestsPerHour: z.number().int().min(20).max(100_000).optional(),
    historyDays
  })
  .strict()

export const ProviderSettingsInput = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('local') }).strict(),
  z.object({ provider: z.literal('wix'), wix: WixSettingsInput }).strict(),
  z.object({ provider: z.literal('plandocket'), plandocket: PlandocketSettingsInput }).strict()
])
export type ProviderSettingsInput = z.infer<typeof ProviderSettingsInput>

/** Settings as the renderer may see them: whether a key is stored, never the key. */
export const ProviderSettingsView = z.object({
  provider: ProviderName,
  deskName: z.string(),
  wix: z.object({ siteId: z.string(), baseUrl: z.string(), namespace: z.string(), apiKeySet: z.boolean(), historyDays: z.number().int() }),
  plandocket: z.object({ baseUrl: z.string(), apiKeySet: z.boolean(), showHidden: z.boolean(), requestsPerHour: z.number().int(), historyDays: z.number().int() }),
  /** How secrets are protected on this machine: os = the OS keychain; otherwise a warning is shown. */
  secretStorage: z.enum(['os', 'basic_text', 'unavailable'])
})
export type ProviderSettingsView = z.infer<typeof ProviderSettingsView>

/** What "Test connection" found, as a code the window words (`message` is the English). */
const remote = z.enum(['wix', 'plandocket'])
/** Which set-up field the desk should check: Wix's base URL or Plandocket's tenant address. */
const addressField = z.enum(['base_url', 'tenant_address'])
export const ConnectionReason = z.discriminatedUnion('reason', [
  reason('connected', { service: remote, where: z.string() }),
  reason('local_needs_no_connection', {}),
  reason('api_key_needed', { provider: remote }),
  reason('tenant_address_needed', {}),
  reason('connection_incomplete', {}),
  /** 401/403: for Wix the key or the site id; for Plandocket a 403 means a missing scope. */
  reason('key_refused', { service: remote, status: int.nullable() }),
  reason('key_lacks_scope', { service: remote }),
  /** The key is accepted but some APIs refuse it (403): each missing permission, and what still works. */
  reason('key_lacks_permissions', { service: remote, where: z.string(), missing: z.array(MissingPermission).min(1) }),
  /** `cause` says what failed (`detail` is the same in English, for logs). */
  reason('unreachable', {
    service: remote,
    baseUrl: z.string(),
    detail: z.string(),
    field: addressField,
    cause: z.enum(['no_connection', 'timeout', 'cut_off']),
    seconds: z.number().nullable()
  }),
  reason('too_many_requests', { service: remote }),
  reason('service_problem', { service: remote, status: int.nullable() }),
  reason('not_the_service', { service: remote, field: addressField }),
  reason('nothing_there', { service: remote, baseUrl: z.string(), field: addressField }),
  /** The booking system's own words, shown as they are. */
  reason('service_refused', { service: remote, text: z.string() }),
  reason('unexpected', { text: z.string() })
])
export type ConnectionReason = z.infer<typeof ConnectionReason>
export const ConnectionReport = z.object({ ok: z.boolean(), message: z.string() }).and(ConnectionReason)
export type ConnectionReport = z.infer<typeof ConnectionReport>

const empty = z.object({}).strict()

// ---- Printing: badges at check-in, attendance sheets, paper marks back in ----
export const BadgeLayoutName = z.enum(BADGE_LAYOUT_NAMES)
export const BadgeField = z.enum(BADGE_FIELDS)
export const BadgeSettings = z.object({ printOnCheckIn: z.boolean(), layout: BadgeLayoutName, field: BadgeField })
export type BadgeSettings = z.infer<typeof BadgeSettings>
const printLanguage = z.enum(PRINT_LANGUAGES).default('en')
/** How the printed document reaches paper: `printer` (Electron printed it) or `window` (open `document` and print it). */
const delivery = { document: z.string(), delivered: z.enum(['printer', 'window']) }
export const BadgePrintRecord = z.object({ at: isoInstant, deskName: z.string(), layout: BadgeLayoutName })
export type BadgePrintRecord = z.infer<typeof BadgePrintRecord>
export const BadgeOutcome = z.discriminatedUnion('outcome', [
  /** Printed before: the desk asks before a second badge. */
  z.object({ outcome: z.literal('ask'), name: z.string(), previous: BadgePrintRecord }),
  z.object({ outcome: z.literal('printed'), name: z.string(), printId: id, layout: BadgeLayoutName, widthMm: z.number(), heightMm: z.number(), ...delivery })
])
export type BadgeOutcome = z.infer<typeof BadgeOutcome>
export const PrinterSettings = z.object({
  /** silent: straight to `deviceName` (Electron); dialog: the system's print dialog each time. */
  mode: z.enum(['dialog', 'silent']),
  deviceName: z.string().trim().max(200).nullable()
})
export type PrinterSettings = z.infer<typeof PrinterSettings>
export const PaperOutcome = z.object({
  /** marked: a new mark from paper; the rest changed nothing. */
  outcome: z.enum(['marked', 'already', 'typo', 'not_a_code', 'unknown', 'wrong_session', 'refused']),
  message: z.string(),
  /** The code as read (upper case, with its dash). */
  code: z.string(),
  name: z.string().nullable(),
  /** The mark's time: the new one, or when the person had already arrived. */
  markedAt: isoInstant.nullable(),
  otherSession: z.object({ title: z.string(), startsAt: isoInstant, timeZone: z.string() }).nullable(),
  row: RosterRow.nullable()
})
export type PaperOutcome = z.infer<typeof PaperOutcome>
export const SheetRecord = z.object({ sheetId: id, printedAt: isoInstant, rows: z.number().int() })
export type SheetRecord = z.infer<typeof SheetRecord>
const printCalls = {
  'print.badgeSettings': { input: z.object({ sessionId: id }).strict(), output: BadgeSettings },
  'print.saveBadgeSettings': { input: BadgeSettings.extend({ sessionId: id }).strict(), output: BadgeSettings },
  /** A badge for one person; `again` after the desk was asked about an earlier one. */
  'print.badge': {
    input: z.object({ sessionId: id, participationId: id, again: z.boolean().default(false), language: printLanguage }).strict(),
    output: BadgeOutcome
  },
  'print.sheet': { input: z.object({ sessionId: id, language: printLanguage }).strict(), output: SheetRecord.extend(delivery) },
  'print.lastSheet': { input: z.object({ sessionId: id }).strict(), output: z.object({ sheet: SheetRecord.nullable() }) },
  /** One row code from a paper sheet; `writtenAt` null: the time the sheet was printed. */
  'print.paperMark': {
    input: z.object({ sessionId: id, code: z.string().trim().min(1, 'type a code').max(40), writtenAt: isoInstant.nullable().default(null) }).strict(),
    output: PaperOutcome
  },
  'print.printer': { input: empty, output: PrinterSettings.extend({ printers: z.array(z.string()), silentAvailable: z.boolean() }) },
  'print.savePrinter': { input: PrinterSettings.strict(), output: PrinterSettings.extend({ printers: z.array(z.string()), silentAvailable: z.boolean() }) }
} as const

/**
 * The calls. Keys are the channel names (IPC channel `rollcall:<key>`, HTTP route
 * `/api/<key>`). Inputs are strict objects: an unknown key is an error, not silently dropped.
 */
export const contract = {
  'desk.info': { input: empty, output: DeskInfo },
  'sessions.forDay': {
    input: z.object({ date: isoDate, timeZone }).strict(),
    output: z.object({ sessions: z.array(Session) })
  },
  'sessions.get': { input: z.object({ sessionId: id }).strict(), output: Session },
  'sessions.create': {
    input: z
      .object({
        title: z.string().trim().min(1, 'a session needs a title').max(LIMITS.name),
        startsAt: isoInstant,
        endsAt: isoInstant,
        timeZone,
        capacity: z.number().int().min(1).max(100_000).nullable()
      })
      .strict()
      .refine((s) => Date.parse(s.endsAt) > Date.parse(s.startsAt), 'a session must end after it starts'),
    output: Session
  },
  'roster.page': {
    input: z
      .object({
        sessionId: id,
        search: z.string().max(LIMITS.search).default(''),
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(LIMITS.rosterPage)
      })
      .strict(),
    output: z.object({ total: z.number().int(), rows: z.array(RosterRow) })
  },
  'roster.counts': { input: z.object({ sessionId: id }).strict(), output: SessionCounts },
  'attendance.checkIn': {
    input: z
      .object({
        sessionId: id,
        participationId: id,
        attendees: z.number().int().min(1, 'at least one person must arrive').max(LIMITS.partySize),
        /** The desk confirmed more people than booked (walk-in guests of a booking). */
        allowOverParty: z.boolean().default(false),
        method: z.enum(['manual', 'scan']).default('manual')
      })
      .strict(),
    output: RosterRow
  },
  'attendance.undo': {
    input: z.object({ sessionId: id, participationId: id }).strict(),
    output: RosterRow
  },
  'attendance.noShow': {
    input: z.object({ sessionId: id, participationId: id }).strict(),
    output: RosterRow
  },
  /** The person leaves; checking them in again later is re-entry. */
  'attendance.checkOut': {
    input: z.object({ sessionId: id, participationId: id, method: z.enum(['manual', 'scan']).default('manual') }).strict(),
    output: RosterRow
  },
  'import.preview': { input: ImportRequest.strict(), output: ImportPreview },
  'import.commit': {
    input: ImportRequest.extend({
      /** Without it an import with any bad row changes nothing. */
      skipInvalidRows: z.boolean().default(false)
    }).strict(),
    output: ImportResult
  },
  'export.roster': {
    input: z.union([
      z.object({ sessionId: id, columns: exportColumns, language: exportLanguage }).strict(),
      z.object({ date: isoDate, timeZone, columns: exportColumns, language: exportLanguage }).strict()
    ]),
    output: ExportFile
  },
  'attendance.walkIn': {
    input: z
      .object({
        sessionId: id,
        name: z.string().trim().min(1, 'a walk-in needs a name').max(LIMITS.name),
        email: z.string().trim().max(254).email('not an email address').nullable().default(null),
        phone: z.string().trim().max(40).nullable().default(null),
        partySize: z.number().int().min(1).max(LIMITS.partySize).default(1),
        checkIn: z.boolean().default(true)
      })
      .strict(),
    output: RosterRow
  },
  'attendance.confirm': { input: z.object({ sessionId: id, participationId: id }).strict(), output: RosterRow },
  'attendance.scan': {
    input: z
      .object({
        sessionId: id,
        code: z.string().trim().min(1, 'empty scan').max(256),
        /** A scan of someone inside: says so (default), or checks them out (exits, day passes). */
        inside: z.enum(['already', 'check_out']).default('already')
      })
      .strict(),
    output: ScanOutcome
  },
  'sessions.close': {
    input: z.object({ sessionId: id }).strict(),
    output: z.object({ marked: z.number().int(), counts: SessionCounts })
  },
  'stats.session': {
    input: z.object({ sessionId: id, slotMinutes: z.union([z.literal(5), z.literal(10), z.literal(15), z.literal(30), z.literal(60)]).default(15) }).strict(),
    output: z.object({ counts: SessionCounts, arrivals: z.array(z.object({ slotStart: z.string(), people: z.number().int() })) })
  },
  'stats.day': {
    input: z.object({ date: isoDate, timeZone }).strict(),
    output: z.object({ sessions: z.array(Session), totals: SessionCounts })
  },
  'audit.list': {
    input: z.object({ sessionId: id.nullable().default(null), beforeId: id.nullable().default(null), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.object({ entries: z.array(AuditEntry) })
  },
  'kiosk.status': { input: empty, output: KioskStatus },
  'kiosk.enter': { input: z.object({ selfService: z.boolean() }).strict(), output: KioskStatus },
  'kiosk.exit': { input: z.object({ pin }).strict(), output: KioskStatus },
  /** Opening set-up while in kiosk mode: the PIN is checked (and counted) like leaving. */
  'kiosk.verifyPin': { input: z.object({ pin }).strict(), output: KioskStatus },
  'kiosk.setPin': { input: z.object({ currentPin: pin.nullable().default(null), newPin: pin }).strict(), output: KioskStatus },
  'sync.status': { input: empty, output: SyncStatus },
  'sync.now': { input: empty, output: SyncStatus },
  'sync.problems': { input: empty, output: z.object({ problems: z.array(SyncProblem) }) },
  'sync.resolve': {
    input: z
      .object({
        opId: z.string().min(1).max(100),
        /** retry: send again as it is; mine: overrule the other desk; discard: drop this desk's change. */
        choice: z.enum(['retry', 'mine', 'discard'])
      })
      .strict(),
    output: SyncStatus
  },
  'settings.get': { input: empty, output: ProviderSettingsView },
  'settings.save': { input: ProviderSettingsInput, output: ProviderSettingsView },
  'settings.testConnection': { input: ProviderSettingsInput, output: ConnectionReport },

  // Attendance history (issue 20): hidden from a self-service kiosk (privacy).
  /** The row's figures for the people on screen, by participation (null: no way to know who they are). */
  'history.people': {
    input: z.object({ sessionId: id, participationIds: z.array(id).min(1).max(200) }).strict(),
    output: z.object({ people: z.array(PersonHistory.nullable()) })
  },
  'history.person': { input: z.object({ sessionId: id, participationId: id }).strict(), output: PersonHistory.nullable() },
  'history.series': { input: z.object({ sessionId: id, days: HistoryPeriod.default(90) }).strict(), output: SeriesStats },
  'history.noShowsCsv': {
    input: z.object({ sessionId: id, days: HistoryPeriod.default(90), language: ExportLanguage.default('en'), timeZone }).strict(),
    output: ExportFile
  },
  ...printCalls
} as const

export type Contract = typeof contract
export type CallName = keyof Contract
export const CALL_NAMES = Object.keys(contract) as CallName[]
export type CallInput<K extends CallName> = z.input<Contract[K]['input']>
export type ParsedInput<K extends CallName> = z.output<Contract[K]['input']>
export type CallOutput<K extends CallName> = z.output<Contract[K]['output']>

/** What every call answers on the wire, over IPC and HTTP alike. */
export type ErrorCode = 'invalid_input' | 'not_found' | 'refused' | 'unknown_call' | 'forbidden' | 'internal'
export const CallError = z
  .object({
    code: z.enum(['invalid_input', 'not_found', 'refused', 'unknown_call', 'forbidden', 'internal']),
    /** In English: logs, tests, and what a window shows when it does not know `reason`. */
    message: z.string(),
    /** Field-level problems for invalid input: path and message. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional()
  })
  /** A refusal on purpose says why as a code with typed params (absent for input errors and internals). */
  .and(z.union([DeskReason, z.object({ reason: z.undefined().optional(), params: z.undefined().optional() })]))
export type CallError = z.infer<typeof CallError>
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: CallError }

/** The API object the renderer talks to, whatever carries it (preload IPC or HTTP). */
export type RollcallApi = { [K in CallName]: (input: CallInput<K>) => Promise<CallOutput<K>> }

/** The shape the preload puts on `window.rollcall`: each call answers an envelope, never throws. */
export type RollcallBridge = { [K in CallName]: (input: CallInput<K>) => Promise<Envelope<CallOutput<K>>> }

export const IPC_PREFIX = 'rollcall:'
