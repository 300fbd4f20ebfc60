/**
 * Main's answers in the desk's language. Main says why it refused or answered what it did as a
 * stable code (`reason`) with typed params, next to an English `message`; these functions word the
 * code from the typed dictionaries. A code this window does not know (a newer desk service) falls
 * back to main's English words. Text a booking system sent verbatim stays as it is.
 */
import type { ConnectionReport, DeskReason, ImportProblem, ImportRowError, ProviderName, ScanReason, SyncProblem, SyncReason, SyncStatus } from '../../../shared/contract'
import { deskTimeZone, formatTime } from './dates'
import { i18n } from './i18n.svelte'

/** A time main sent (a lockout's end) as the desk reads it: "10:01" / "10:01 AM". */
const at = (iso: string): string => formatTime(iso, deskTimeZone())

function field(name: string): string {
  const fields = i18n.t.import.fields as Record<string, string>
  return fields[name] ?? name
}

/** One problem of an import line; null for a code this window does not know. */
export function describeImportProblem(p: ImportProblem): string | null {
  const t = i18n.t.reasons
  switch (p.reason) {
    case 'csv_record_too_long':
      return t.csvRecordTooLong(p.params.max)
    case 'csv_quote_not_closed':
      return t.csvQuoteNotClosed
    case 'csv_quote_misplaced':
      return t.csvQuoteMisplaced
    case 'csv_column_count':
      return t.csvColumnCount(p.params.expected, p.params.found)
    case 'csv_too_many_broken':
      return t.csvTooManyBroken
    case 'csv_other':
      return p.params.detail
    case 'name_missing':
      return t.nameMissing
    case 'name_too_long':
      return t.nameTooLong(p.params.max)
    case 'party_size_invalid':
      return t.partySizeInvalid(p.params.max, p.params.found)
    case 'email_invalid':
      return t.emailInvalid(p.params.value)
    case 'phone_too_long':
      return t.phoneTooLong(p.params.max)
    case 'id_too_long':
      return t.idTooLong(p.params.max)
    case 'status_invalid':
      return t.statusInvalid(p.params.value)
    case 'session_title_missing':
      return t.sessionTitleMissing
    case 'session_title_too_long':
      return t.sessionTitleTooLong(p.params.max)
    case 'time_zone_unknown':
      return t.timeZoneUnknown(p.params.value)
    case 'session_start_missing':
      return t.sessionStartMissing
    case 'session_start_invalid':
      return t.sessionStartInvalid(p.params.value)
    case 'session_end_invalid':
      return t.sessionEndInvalid(p.params.value)
    case 'session_end_before_start':
      return t.sessionEndBeforeStart
    case 'capacity_invalid':
      return t.capacityInvalid(p.params.max, p.params.found)
    case 'import_no_name_column':
      return t.importNoNameColumn
    case 'import_no_session_columns':
      return t.importNoSessionColumns
    default:
      return null
  }
}

/** What is wrong with one import line: its problems, or main's words when it sent none. */
export function describeImportRow(e: ImportRowError): string {
  const problems = Array.isArray(e.problems) ? e.problems : []
  if (problems.length === 0) return e.message
  const words = problems.map(describeImportProblem)
  return words.some((w) => w === null) ? e.message : words.join('; ')
}

/** A refusal from main (a call's error or a refused scan). Null when the code is unknown here. */
export function describeDeskReason(r: DeskReason | ScanReason): string | null {
  const t = i18n.t.reasons
  switch (r.reason) {
    case 'pin_not_set':
      return t.pinNotSet
    case 'pin_set_first':
      return t.pinSetFirst
    case 'pin_current_needed':
      return t.pinCurrentNeeded
    case 'pin_wrong':
      return t.pinWrong(r.params.attemptsLeft)
    case 'pin_wrong_locked':
      return t.pinWrongLocked(at(r.params.until))
    case 'pin_locked':
      return t.pinLocked(at(r.params.until))
    case 'admin_pin_needed':
      return t.adminPinNeeded(t.adminActions[r.params.action] ?? r.params.action)
    case 'session_not_found':
      return t.sessionNotFound
    case 'date_invalid':
      return t.dateInvalid(r.params.date)
    case 'session_cancelled':
      return t.sessionCancelled(r.params.title)
    case 'not_on_roster':
      return t.notOnRoster
    case 'nothing_to_undo':
      return t.nothingToUndo
    case 'booking_cancelled':
      return t.bookingCancelled(r.params.name)
    case 'confirm_in_wix_bookings':
      return t.confirmInWixBookings(r.params.name)
    case 'over_party':
      return t.overParty(r.params.name, r.params.booked, r.params.attendees)
    case 'not_inside':
      return t.notInside(r.params.name)
    case 'email_required':
      return t.emailRequired(t.service[r.params.service])
    case 'problem_resolved':
      return t.problemResolved
    case 'problem_superseded':
      return t.problemSuperseded
    case 'api_key_needed':
      return t.apiKeyNeeded(t.service[r.params.provider])
    case 'import_empty':
      return t.importEmpty
    case 'import_column_missing':
      return t.importColumnMissing(r.params.column, field(r.params.field))
    case 'import_not_local':
      return t.importNotLocal(r.params.title, t.service[r.params.provider] ?? r.params.provider)
    case 'import_row_errors': {
      const first = r.params.problems.map(describeImportProblem)
      if (first.length === 0 || first.some((w) => w === null)) return null
      return t.importRowErrors(r.params.count, r.params.line, first.join('; '))
    }
    case 'import_no_rows':
      return t.importNoRows
    case 'request_too_large':
      return t.requestTooLarge(r.params.maxMb)
    case 'scan_checked_in':
      return t.scanCheckedIn(r.params.name)
    case 'scan_already':
      return t.scanAlready(r.params.name)
    case 'scan_checked_out':
      return t.scanCheckedOut(r.params.name)
    case 'scan_unknown':
      return t.scanUnknown(r.params.code)
    case 'scan_wrong_session':
      return t.scanWrongSession(r.params.name, r.params.title)
    case 'scan_not_booked_here':
      return t.scanNotBookedHere(r.params.name)
    case 'unspecified':
      return null
    case 'printer_failed':
      return t.printerFailed(r.params.detail)
    case 'no_sheet_printed':
      return t.noSheetPrinted
    case 'paper_time_in_future':
      return t.paperTimeInFuture
    default:
      // One of the import line problems, or a code this window does not know.
      return describeImportProblem(r)
  }
}

/** A reason with main's English fallback: the words to show. */
export function describeReason(r: (DeskReason | ScanReason) & { message: string }): string {
  return describeDeskReason(r) ?? r.message
}

/** Why sending, downloading or a mark failed, in words. */
export function describeSyncReason(r: SyncReason & { message: string }): string {
  const t = i18n.t.reasons
  const service = (name: ProviderName): string => t.service[name] ?? name
  let words: string | null
  switch (r.reason) {
    case 'sync_timeout':
      words = t.syncTimeout(service(r.params.service))
      break
    case 'sync_no_connection':
      words = t.syncNoConnection(service(r.params.service))
      break
    case 'sync_server_error':
      words = t.syncServerError(service(r.params.service), r.params.status)
      break
    case 'sync_bad_response':
      words = t.syncBadResponse(service(r.params.service), r.params.detail)
      break
    case 'sync_rate_limited':
      words = t.syncRateLimited(service(r.params.service))
      break
    case 'sync_budget_held':
      words = t.syncBudgetHeld(service(r.params.service))
      break
    case 'sync_auth':
      words = t.syncAuth(service(r.params.service))
      break
    case 'sync_forbidden': {
      const { name, kind, use } = r.params.permission
      words = t.syncForbidden(service(r.params.service), t.uses[use], t.permissionName(name, kind), t.still[use])
      break
    }
    case 'sync_deleted_elsewhere':
      words = t.syncDeletedElsewhere(service(r.params.service))
      break
    case 'sync_removed_upstream':
      words = t.syncRemovedUpstream(service(r.params.service))
      break
    case 'sync_gone':
      words = t.syncGone
      break
    case 'sync_no_answer':
      words = t.syncNoAnswer
      break
    case 'sync_internal':
      words = t.syncInternal(r.params.detail)
      break
    case 'provider_said':
      words = r.params.text
      break
    default:
      words = null
  }
  return words ?? r.message
}

/** The sync status's last errors, one sentence each ("Download failed: No connection to Wix."). */
export function describeSyncErrors(s: SyncStatus): string | null {
  const errors = Array.isArray(s.errors) ? s.errors : []
  if (errors.length === 0) return s.lastError
  return errors
    .map((e) => {
      const words = describeSyncReason(e)
      return e.stage === 'download' ? i18n.t.sync.downloadFailed(words) : words
    })
    .join(' ')
}

/** What a set-aside mark wanted: "check in 2", "2 einchecken". */
export function describeIntent(p: SyncProblem): string {
  const t = i18n.t.sync.intent
  switch (p.intent?.kind) {
    case 'check_in':
      return t.checkIn(p.intent.attendees)
    case 'no_show':
      return t.noShow
    case 'clear':
      return t.clear
    case 'check_out':
      return t.checkOut
    case 'walk_in':
      return t.walkIn
    case 'confirm':
      return t.confirm
    default:
      return p.wanted
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * A desk as the screen names it: this desk by its own name (from settings), another desk by its
 * name when the booking system keeps one, else its id shortened and labelled ("Desk 3f9a…").
 */
export function deskLabel(deskId: string, thisDesk: { deskId: string; deskName: string } | null): string {
  if (thisDesk && deskId === thisDesk.deskId && thisDesk.deskName) return thisDesk.deskName
  if (UUID.test(deskId) || /^[0-9a-f-]{16,}$/i.test(deskId)) return i18n.t.common.otherDesk(deskId.slice(0, 4))
  return deskId
}

/** "a, b and c" in the desk's language. */
function listFormat(items: string[]): string {
  try {
    return new Intl.ListFormat(i18n.lang, { style: 'long', type: 'conjunction' }).format(items)
  } catch {
    return items.join(', ')
  }
}

/** What "Test connection" found, in words. */
export function describeConnection(r: ConnectionReport): string {
  const t = i18n.t.reasons.connection
  const service = (name: ProviderName): string => i18n.t.reasons.service[name] ?? name
  switch (r.reason) {
    case 'connected':
      return r.params.service === 'wix' ? t.connectedWix(r.params.where) : t.connectedPlandocket(r.params.where)
    case 'local_needs_no_connection':
      return t.localNeedsNone
    case 'api_key_needed':
      return t.apiKeyNeeded
    case 'tenant_address_needed':
      return t.tenantNeeded
    case 'connection_incomplete':
      return t.incomplete
    case 'key_refused':
      return r.params.service === 'wix' ? t.wixKeyRefused(String(r.params.status ?? '')) : t.plandocketKeyRefused
    case 'key_lacks_scope':
      return t.lacksScope
    case 'key_lacks_permissions': {
      const words = i18n.t.reasons
      const missing = r.params.missing.map((m) => t.missingOne(words.permissionName(m.name, m.kind), words.uses[m.use]))
      return t.lacksPermissions(service(r.params.service), r.params.where, listFormat(missing), missing.length)
    }
    case 'unreachable':
      return t.unreachable(
        r.params.baseUrl,
        r.params.cause === 'timeout' ? t.why.timeout(r.params.seconds ?? 0) : t.why[r.params.cause],
        t.field[r.params.field]
      )
    case 'too_many_requests':
      return r.params.service === 'wix' ? t.wixTooMany : t.plandocketTooMany
    case 'service_problem':
      return t.serviceProblem(service(r.params.service), String(r.params.status ?? ''))
    case 'not_the_service':
      return t.notTheService(service(r.params.service), t.field[r.params.field])
    case 'nothing_there':
      return t.nothingThere(r.params.baseUrl, t.field[r.params.field])
    case 'service_refused':
      return t.refused(service(r.params.service), r.params.text)
    case 'unexpected':
      return t.unexpected(r.params.text)
    default:
      return (r as { message: string }).message
  }
}
