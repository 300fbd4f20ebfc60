/**
 * What a booking system must offer the desk. The sync engine only knows this interface, so a new
 * provider is a new folder under providers/, not a change to the engine.
 */
import type { AttendanceStatus, ParticipationStatus, ProviderName } from '../../shared/contract'

export interface SessionRecord {
  providerId: string
  title: string
  startsAt: number
  endsAt: number
  timeZone: string
  allDay: boolean
  capacity: number | null
  scheduleId: string | null
  scheduleName: string | null
  kind: string
  status: 'CONFIRMED' | 'CANCELLED'
  appId: string | null
  revision: string | null
  raw: unknown
}

export interface ParticipationRecord {
  providerId: string
  externalId: string | null
  /** The provider id of the one session it is for, or null for a course participation. */
  sessionProviderId: string | null
  scheduleId: string | null
  name: string
  email: string | null
  phone: string | null
  contactId: string | null
  customerNumber: string | null
  bookingId: string | null
  badgeNumber: string | null
  partySize: number
  status: ParticipationStatus
  /** Changes whenever the provider's record changes; equal revision = nothing to rewrite. */
  revision: string | null
  raw: unknown
  /** Marks the provider keeps on the participation itself (applied together with it). */
  attendance?: AttendanceRecord[]
}

export interface AttendanceRecord {
  /** Which participation: by the provider's participation id, or by its booking id. */
  participationProviderId: string | null
  bookingId?: string
  sessionProviderId: string
  status: AttendanceStatus
  attendees: number
  /** The provider's id of the attendance record, when it has one. */
  providerId: string | null
  markedAt: number | null
  deskId: string | null
  /** When the person left again (a provider that knows check-out); undefined = not known. */
  checkedOutAt?: number | null
}

/** A session as the provider needs to see it to pull or push for it. */
export interface SessionRef {
  id: number
  providerId: string
  scheduleId: string | null
  kind: string
  appId: string | null
  timeZone: string
}

export interface ParticipationRef {
  id: number
  providerId: string
  externalId: string | null
  bookingId: string | null
  sessionProviderId: string | null
  scheduleId: string | null
  name: string
  email: string | null
  phone: string | null
  partySize: number
  status: ParticipationStatus
  revision: string | null
  raw: unknown
}

/** One outbox operation, handed to the provider with what it refers to. */
export interface PushOperation {
  opId: string
  kind: 'attendance.set' | 'attendance.checkout' | 'participation.confirm' | 'participation.create'
  payload: {
    status?: AttendanceStatus
    attendees?: number
    markedAt?: number
    method?: 'manual' | 'scan'
    previous?: { status: AttendanceStatus; attendees: number }
    /** The desk chose to overrule a conflicting mark from another desk. */
    force?: boolean
    /** The session-local day the mark is for (multi-day sessions check in daily). */
    day?: string
    [key: string]: unknown
  }
  session: SessionRef
  participation: ParticipationRef
  deskId: string
  deskName: string
  /** Server ids learnt by earlier operations (e.g. the attendance record to delete on undo). */
  attendanceProviderId: string | null
  /**
   * The mark the provider held when this desk last saw it (pulled, or answered to its own write);
   * null = none seen. For marks without a revision, the base of a check-and-set.
   */
  lastSeen: { status: AttendanceStatus; attendees: number } | null
  /**
   * This operation may already have reached the provider (an earlier try got no answer, or the
   * desk stopped while it was in flight). Providers without idempotency keys look before creating.
   */
  maybeSent: boolean
}

export type PushOutcome =
  | {
      result: 'done'
      /** The participation as the provider now holds it (new revision, server id), to store locally. */
      participation?: ParticipationRecord
      attendanceProviderId?: string | null
      /** The mark the provider holds now, as this desk has just seen it (becomes the last-seen one). */
      seen?: { status: AttendanceStatus; attendees: number }
      /** The mark as the provider holds it when it differs (e.g. settled against another station's check-in). */
      attendance?: AttendanceRecord
      note?: string
    }
  | { result: 'conflict'; message: string; server?: { status: AttendanceStatus; attendees: number } }
  | { result: 'rejected'; message: string }

import type { ConnectionReport } from '../../shared/contract'
import type { RequestBudget } from './budget'
export type { ConnectionReport }

/** A batch of past sessions and what the service holds for them (attendance history). */
export interface HistoryPage {
  sessions: SessionRecord[]
  /** Bookings of these sessions (of one session, or of a course they belong to). */
  participations: ParticipationRecord[]
  /** Marks kept apart from the bookings (Wix Bookings attendance), each naming its session. */
  attendance: AttendanceRecord[]
}

export interface Provider {
  readonly name: ProviderName
  /** Providers that limit requests per hour count them here (shown in the Sync panel). */
  readonly requestBudget?: RequestBudget
  /**
   * Reads every API the desk uses and names each permission the key lacks. `readsOnly`: the engine's
   * unattended probe, which asks only whether the service answers and never writes, not even to an
   * id that cannot exist.
   */
  testConnection(options?: { readsOnly?: boolean }): Promise<ConnectionReport>
  /** Sessions overlapping [from, to), as seen in `timeZone`. */
  pullSessions(range: { from: number; to: number; timeZone: string }): AsyncIterable<SessionRecord[]>
  pullRoster(session: SessionRef): AsyncIterable<ParticipationRecord[]>
  pullAttendance(session: SessionRef): AsyncIterable<AttendanceRecord[]>
  /**
   * Past sessions with their bookings and marks, for attendance history (a few requests for many
   * sessions). Absent: the engine reads each past session's roster and marks one by one.
   */
  pullHistory?(range: { from: number; to: number; timeZone: string }): AsyncIterable<HistoryPage>
  /**
   * Whether pullAttendance lists every mark the service holds for the session, so that a mark
   * missing from a complete download was deleted there (false or absent: marks travel otherwise,
   * e.g. inside the participations, and nothing is concluded from their absence).
   */
  attendanceComplete?(session: SessionRef): boolean
  /**
   * Sends one operation. Throws a ProviderError for transport problems and answers that say
   * "try later" or "sign in"; resolves with the operation's fate otherwise.
   */
  push(op: PushOperation): Promise<PushOutcome>
  /** Operations that can go in one request with `op` (e.g. Wix bulk attendance), up to this many. */
  batchSize?(op: PushOperation): number
  /** The largest batchSize() ever answers. */
  maxBatch?: number
  pushBatch?(ops: PushOperation[]): Promise<PushOutcome[]>
}
