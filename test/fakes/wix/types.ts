/**
 * Shapes of the fake Wix: the entities exactly as Wix returns them (see
 * /work/shared/contracts/wix.md and samples/), plus the fake's own options.
 */

/** Wix Bookings' app id: events it owns have their roster managed by Bookings. */
export const BOOKINGS_APP_ID = '13d21c63-b5ec-5912-8397-c3a5ddb27a97'
/** Any other calendar app (a non-Bookings event whose participations Rollcall may PATCH). */
export const OTHER_APP_ID = '9f4c7a1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b'

export type EventType = 'DEFAULT' | 'WORKING_HOURS' | 'APPOINTMENT' | 'CLASS' | 'COURSE'
export type EventStatus = 'CONFIRMED' | 'CANCELLED'
export type RecurrenceType = 'NONE' | 'MASTER' | 'INSTANCE' | 'EXCEPTION'
export type ParticipationStatus = 'CONFIRMED' | 'PENDING_CONFIRMATION'
export type AttendanceStatus = 'NOT_SET' | 'ATTENDED' | 'NOT_ATTENDED'

export interface EventTime {
  /** Wall-clock time without offset, e.g. `2026-07-06T09:00:00`. */
  localDate: string
  timeZone: string
  /** The same instant in UTC, e.g. `2026-07-06T08:00:00Z`. */
  utcDate: string
}

export interface WixEvent {
  id: string
  scheduleId: string
  scheduleName?: string
  appId: string
  type: EventType
  status: EventStatus
  title: string
  start: EventTime
  end: EventTime
  /** Only in responses: start/end shown in the zone the query asked for. */
  adjustedStart?: EventTime
  adjustedEnd?: EventTime
  allDay: boolean
  timeZone: string
  recurrenceType: RecurrenceType
  location?: { id?: string; type: string; name?: string; address?: string }
  resources: unknown[]
  /** Absent = unlimited; then remainingCapacity is absent too. */
  totalCapacity?: number
  remainingCapacity?: number
  participants: { total: number }
  revision: string
  createdDate: string
  updatedDate: string
}

export interface Participant {
  name: string
  phone?: string
  email?: string
  contactId?: string
}

export interface Participation {
  id: string
  externalId?: string
  participant: Participant
  /** Exactly one of eventId / scheduleId is set. */
  eventId?: string
  scheduleId?: string
  partySize: number
  status: ParticipationStatus
  appId: string
  /** int64 as a string: "1" on create, +1 per update. */
  revision: string
  createdDate: string
  updatedDate: string
  extendedFields?: { namespaces: Record<string, Record<string, unknown>> }
}

export interface Attendance {
  id: string
  bookingId: string
  eventId: string
  status: AttendanceStatus
  numberOfAttendees: number
}

/** Seeds: everything optional; start/end may be given as a local date string in `timeZone`. */
export type EventSeed = Partial<Omit<WixEvent, 'start' | 'end' | 'adjustedStart' | 'adjustedEnd' | 'participants' | 'remainingCapacity'>> & {
  start?: string | Partial<EventTime>
  end?: string | Partial<EventTime>
}
export type ParticipationSeed = Partial<Omit<Participation, 'participant'>> & { participant?: Partial<Participant> }
export type AttendanceSeed = Partial<Attendance>
export type SeedMaker<T> = T | ((index: number) => T)

export interface FieldViolation {
  field: string
  description: string
  violatedRule: string
  data?: Record<string, unknown>
}

/** Wix's documented error body. */
export interface WixErrorBody {
  message: string
  details: {
    applicationError?: { code: string; description: string; data: Record<string, unknown> }
    validationError?: { fieldViolations: FieldViolation[] }
  }
}

/** Knobs a test may flip at any time through `fake.settings`. */
export interface FakeWixSettings {
  /** `pagingMetadata.count`: always sent, never sent, or on every other response. */
  pagingCount: 'present' | 'absent' | 'alternate'
  /** What `cursors` holds on the last page: `{}` or `{prev}`. */
  lastPageCursors: 'empty' | 'prev'
  /** Reject filter fields/operators/sorts the contract does not list for the endpoint. */
  strictFilters: boolean
  /** applicationError code on a participation revision conflict (unknown in the contract); null = `details: {}`. */
  revisionConflictCode: string | null
  /** Refuse requests over this many per minute (Wix: 200) with 429; undefined = no limit. */
  rateLimitPerMinute: number | undefined
  /**
   * Which events a from/to local-date query returns (the contract does not say): those that
   * overlap the range, only those that lie wholly inside it, or those that start inside it.
   */
  eventRange: 'overlap' | 'within' | 'starts'
}

/**
 * The permissions a Wix API key can hold, as far as the desk's APIs go (inferred: the contract
 * names none). Reading events and participations needs Read or Manage Calendar; writing
 * participations needs Manage Calendar; Bookings Attendance needs Manage Bookings.
 */
export type WixPermission = 'Read Calendar' | 'Manage Calendar' | 'Manage Bookings'
export const ALL_WIX_PERMISSIONS: readonly WixPermission[] = ['Read Calendar', 'Manage Calendar', 'Manage Bookings']

export interface FakeWixOptions extends Partial<FakeWixSettings> {
  apiKey?: string
  /** The default key's permissions (all by default). */
  permissions?: readonly WixPermission[]
  siteId?: string
  /** 0 (default) = any free port. */
  port?: number
  /** Same seed → same ids and cursors. Random when absent. */
  seed?: string | number
  now?: () => number | Date
  /** The business time zone: used when a query or seed names none. Default `UTC`. */
  timeZone?: string
}

/** The fault machinery is common to all fakes, so suites break Wix the way they break the others. */
export type { Fault, FaultWhen, RouteMatcher } from '../common'
import type { LoggedRequest as BaseLoggedRequest } from '../common'

/** A request as the fake Wix logs it: who sent it (the client's port) and what it answered. */
export interface LoggedRequest extends BaseLoggedRequest {
  /** The address the request came from: tells apart clients behind different proxies. */
  remoteAddress: string | null
  /** The body a handler answered (before any fault replaced or cut it); undefined if none ran. */
  answer?: unknown
}

export interface Violation {
  rule:
    | 'ATTENDANCE_NOT_ATTENDED_WITH_ATTENDEES'
    | 'ATTENDANCE_ZERO_ATTENDEES'
    | 'ATTENDANCE_DEPRECATED_SESSION_ID'
    | 'BOOKINGS_PARTICIPATION_WRITE'
    | 'IDEMPOTENCY_KEY_REUSED'
  method: string
  path: string
  detail: string
}
