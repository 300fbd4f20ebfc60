/** Why main said what it said: every refusal and failure as a code with typed parameters. */
import { z } from 'zod'
import { LAN_REFUSAL_CODES } from './constants'
import { AdminAction, AttendanceStatus, MissingPermission, int, isoInstant, reason, remoteService, service } from './common'

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
  reason('email_required', { service: remoteService }),
  // Sync decisions and set-up.
  reason('problem_resolved', {}),
  reason('problem_superseded', {}),
  reason('api_key_needed', { provider: remoteService }),
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
  // Several desks on the LAN: sharing, pairing, joining (`retryAfterSeconds` for lan_rate_limited).
  reason('lan_refused', { refusal: z.enum(LAN_REFUSAL_CODES), retryAfterSeconds: int.nullable() }),
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
  ...DeskReason.options
])
export type ScanReason = z.infer<typeof ScanReason>
/** The desk's refusals without the import line problems they include (the dictionaries word each set once). */
export type DeskOnlyReason = Exclude<DeskReason, { reason: ImportProblemCode }>
/** What only a scan answers. */
export type ScanOnlyReason = Exclude<ScanReason, DeskReason>

/** What was wrong with an answer the desk could not use (`count`: MB for too_large, people for unreadable_rows). */
export const BadAnswer = z.enum(['too_large', 'not_json', 'unexpected', 'cursor_repeats', 'unreadable_rows', 'walk_in_missing'])
export type BadAnswer = z.infer<typeof BadAnswer>

/** Why sending or downloading failed, or why a mark was set aside. */
export const SyncReason = z.discriminatedUnion('reason', [
  reason('sync_timeout', { service }),
  reason('sync_no_connection', { service }),
  reason('sync_server_error', { service, status: z.string() }),
  reason('sync_bad_response', { service, problem: BadAnswer, count: int.nullable() }),
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
  // A mark the booking system took but could not record, or another desk changed meanwhile.
  reason('sync_no_booking_id', {}),
  /** Another desk changed the person's mark in the service since this desk's (its mark now). */
  reason('sync_other_desk', { service, status: AttendanceStatus, attendees: int }),
  reason('sync_keeps_changing', { service }),
  reason('sync_confirm_in_wix', {}),
  reason('sync_walk_in_in_wix', {}),
  reason('sync_email_required', { service }),
  /** Checked in at another station already; the service counts one per participant, the desk counted more. */
  reason('sync_counts_one', { service, station: z.string().nullable(), at: isoInstant.nullable(), counted: int }),
  /** Another desk on the LAN marked the person at the hub first (or later than this desk's mark was made). */
  reason('sync_marked_at_desk', { service, station: z.string(), at: isoInstant, status: AttendanceStatus, attendees: int }),
  /** The booking system's own words (e.g. a Wix error body), shown as they are. */
  reason('provider_said', { text: z.string() }),
  /** A failure stored by a desk from before reasons had codes: its English words, kept as they were. */
  reason('stored_words', { text: z.string() })
])
export type SyncReason = z.infer<typeof SyncReason>
