/**
 * Bookings Attendance v2 under its three gateway prefixes, plus the bulk set. Set is an upsert per
 * booking + event with no revision. The real API does not check consistency, so neither does the
 * fake: it accepts what Wix accepts and records what a client must never send as violations.
 */
import { applicationError, assertValid, notFound, validationError, violation, WixHttpError } from '../errors'
import { readPageRequest, type FirstPageRequest, type PagingLimits } from '../paging'
import { checkFilter, checkSort, isPlainObject, matches, parseSort, sortRows, type Filter, type FilterRules } from '../query'
import type { HandlerContext, Route } from '../router'
import { clone } from '../store'
import type { Attendance, AttendanceStatus } from '../types'
import { checkEnum, checkInteger, checkObject, checkString } from '../validate'

const PREFIX = '(?:/bookings/v2/attendance|/bookings/bookings-attendance|/_api/bookings-attendance/v2/attendance)'
const STATUSES: readonly AttendanceStatus[] = ['NOT_SET', 'ATTENDED', 'NOT_ATTENDED']
const BULK_MAX = 8
const LIMITS: PagingLimits = { defaultLimit: 50, maxLimit: 1000 }
const EQUALITY = ['$eq', '$in', '$ne', '$nin'] as const
const COMPARISONS = [...EQUALITY, '$gt', '$gte', '$lt', '$lte'] as const
/** The filters the contract lists (enforced while settings.strictFilters); sessionId = eventId. */
const STRICT_FILTERS: FilterRules = {
  fields: { id: EQUALITY, bookingId: EQUALITY, eventId: EQUALITY, sessionId: EQUALITY, status: EQUALITY, numberOfAttendees: COMPARISONS },
  logical: false
}

const view = (attendance: Attendance): Attendance => {
  const { id, bookingId, eventId, status, numberOfAttendees } = clone(attendance)
  return { id, bookingId, eventId, status, numberOfAttendees }
}

type AttendanceInput = Omit<Attendance, 'id'>

/**
 * Checks one `attendance` of a set request. Throws the error Wix would answer; records the
 * inputs the contract forbids (they are still accepted, as the real API accepts them).
 */
function readAttendance(ctx: HandlerContext, raw: unknown, at: string): AttendanceInput {
  assertValid(checkObject(raw, at, true))
  const input = raw as Record<string, unknown>
  assertValid([
    ...checkString(input.bookingId, `${at}.bookingId`, { required: true, guid: true }),
    ...checkEnum(input.status, `${at}.status`, STATUSES, true),
    ...checkInteger(input.numberOfAttendees, `${at}.numberOfAttendees`, { min: 0 })
  ])
  const eventId = input.eventId ?? input.sessionId
  if (eventId === undefined || eventId === null || eventId === '') {
    throw applicationError(400, 'SESSION_ID_NOT_PROVIDED', 'eventId (sessionId) is required')
  }
  assertValid(checkString(eventId, input.eventId !== undefined ? `${at}.eventId` : `${at}.sessionId`, { min: 36, max: 250 }))
  const attendance: AttendanceInput = {
    bookingId: input.bookingId as string,
    eventId: eventId as string,
    status: input.status as AttendanceStatus,
    numberOfAttendees: (input.numberOfAttendees as number | undefined) ?? 1
  }
  flagInconsistencies(ctx, attendance, input.sessionId !== undefined)
  return attendance
}

function flagInconsistencies(ctx: HandlerContext, a: AttendanceInput, usedSessionId: boolean): void {
  const which = `booking ${a.bookingId} on event ${a.eventId}`
  if (usedSessionId) ctx.flag('ATTENDANCE_DEPRECATED_SESSION_ID', `sessionId sent for ${which}; use eventId`)
  if (a.status === 'NOT_ATTENDED' && a.numberOfAttendees > 0) {
    ctx.flag('ATTENDANCE_NOT_ATTENDED_WITH_ATTENDEES', `NOT_ATTENDED with ${a.numberOfAttendees} attendee(s) (the default is 1) for ${which}`)
  }
  // "nor 0 attendees (send NOT_ATTENDED instead)": zero people is only consistent with NOT_ATTENDED.
  if (a.numberOfAttendees === 0 && a.status !== 'NOT_ATTENDED') {
    ctx.flag('ATTENDANCE_ZERO_ATTENDEES', `${a.status} with 0 attendees for ${which}; send NOT_ATTENDED instead`)
  }
}

function set(ctx: HandlerContext) {
  const attendance = ctx.store.upsertAttendance(readAttendance(ctx, ctx.body.attendance, 'attendance'))
  return { body: { attendance: view(attendance) } }
}

function bulkSet(ctx: HandlerContext) {
  const details = ctx.body.attendanceDetails
  if (!Array.isArray(details) || details.length === 0) {
    throw applicationError(400, 'ATTENDANCES_MISSING_IN_REQUEST', 'attendanceDetails must list at least one attendance')
  }
  if (details.length > BULK_MAX) {
    throw validationError([violation('attendanceDetails', 'MAX', `at most ${BULK_MAX} attendances per request`, { threshold: BULK_MAX })])
  }
  const full = ctx.body.returnFullEntity === true
  const results = details.map((detail: unknown, originalIndex) => bulkItem(ctx, detail, originalIndex, full))
  const failures = results.filter((r) => !r.itemMetadata.success).length
  return {
    body: { results, bulkActionMetadata: { totalSuccesses: results.length - failures, totalFailures: failures, undetailedFailures: 0 } }
  }
}

/** One bulk item: its own success or error, never failing the whole request. */
function bulkItem(ctx: HandlerContext, detail: unknown, originalIndex: number, full: boolean) {
  try {
    const raw = isPlainObject(detail) ? detail.attendance : undefined
    const attendance = ctx.store.upsertAttendance(readAttendance(ctx, raw, `attendanceDetails[${originalIndex}].attendance`))
    const itemMetadata = { id: attendance.id, originalIndex, success: true }
    return full ? { item: view(attendance), itemMetadata } : { itemMetadata }
  } catch (error) {
    if (!(error instanceof WixHttpError) || error.body === '') throw error
    const code = error.body.details.applicationError?.code ?? 'INVALID_ARGUMENT'
    return { itemMetadata: { originalIndex, success: false, error: { code, description: error.body.message } } }
  }
}

function get(ctx: HandlerContext) {
  const attendance = ctx.store.getAttendance(ctx.params[0]!)
  if (!attendance) throw notFound('ATTENDANCE_NOT_FOUND', 'Attendance')
  return { body: { attendance: view(attendance) } }
}

function remove(ctx: HandlerContext) {
  if (!ctx.store.deleteAttendance(ctx.params[0]!)) throw notFound('ATTENDANCE_NOT_FOUND', 'Attendance')
  return { body: {} }
}

/**
 * The contract: "only the first filter is processed". The fake reproduces that: of the top-level
 * keys only the first one filters, so a client that sends {bookingId, eventId} gets every event
 * of that booking and must narrow the result itself.
 */
function firstFilterOnly(filter: Filter): Filter {
  const first = Object.entries(filter)[0]
  if (!first) return {}
  const [field, condition] = first
  return { [field === 'sessionId' ? 'eventId' : field]: condition }
}

/** Runs the first request's query once; later pages replay its snapshot (see Pager). */
function evaluate(ctx: HandlerContext, { filter = {}, sort }: FirstPageRequest) {
  assertValid([...checkFilter(filter, ctx.settings.strictFilters ? STRICT_FILTERS : undefined), ...checkSort(sort)])
  const applied = firstFilterOnly(filter as Filter)
  const rows = [...ctx.store.attendances.values()].filter((row) => matches(row.value, applied))
  return { ids: sortRows(rows, parseSort(sort)).map((a) => a.id), context: undefined }
}

/** The contract shows no `count` in attendance paging, so it is never sent here. */
function query(ctx: HandlerContext) {
  const request = readPageRequest(ctx.body, LIMITS)
  const page = ctx.pager.page('attendances', request, (first) => evaluate(ctx, first), { withCount: false })
  const attendances = page.ids.flatMap((id) => {
    const attendance = ctx.store.getAttendance(id)
    return attendance ? [view(attendance)] : []
  })
  return { body: { attendances, pagingMetadata: page.metadata(attendances.length) } }
}

export const attendanceRoutes: Route[] = [
  { method: 'POST', pattern: /^\/bookings\/v2\/bulk\/attendance\/set$/, handle: bulkSet },
  { method: 'POST', pattern: new RegExp(`^${PREFIX}/set$`), handle: set },
  { method: 'POST', pattern: new RegExp(`^${PREFIX}/query$`), handle: query },
  { method: 'GET', pattern: new RegExp(`^${PREFIX}/([^/]+)$`), handle: get },
  { method: 'DELETE', pattern: new RegExp(`^${PREFIX}/([^/]+)$`), handle: remove }
]
