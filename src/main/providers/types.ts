/**
 * What a booking system must offer the desk. The sync engine only knows this interface, so a new
 * provider is a new folder under providers/ plus its line in registry.ts, not a change to the engine.
 *
 * The records hold what the desk itself uses (times, names, the codes a person is found by). What
 * only one provider needs (Wix's owning app, revisions of its own objects, Bookings ids of marks…)
 * travels in `raw`: the provider's own record, typed by its folder (Provider<Ext>), stored with the
 * row and handed back on SessionRef/ParticipationRef; the engine and the replica never read inside.
 */
import type { AttendanceStatus, MissingPermission, ParticipationStatus, ProviderName, RemoteProviderName, SyncReason } from '../../shared/contract'
import type { LanStore } from '../lan/store'
import type { StoredSettings } from '../settings'
import type { RequestBudget } from './budget'
import type { SessionRules } from './rules'

/** The types of a provider's own records (`raw`), declared by its folder. */
export interface ProviderExt {
  session: unknown
  participation: unknown
}

export interface SessionRecord<Raw = unknown> {
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
  /** Changes whenever the provider's record changes (null: the replica hashes `raw` instead). */
  revision: string | null
  /** The provider's own record, kept for it (see the top of this file). */
  raw: Raw
}

export interface ParticipationRecord<Raw = unknown> {
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
  /** The provider's own record, kept for it (see the top of this file). */
  raw: Raw
  /** Marks the provider keeps on the participation itself (applied together with it). */
  attendance?: AttendanceRecord[]
  /** The id the provider knew this person by before (a LAN hub's walk-in its service renamed): the desk's row under it is renamed. */
  formerProviderId?: string
}

export interface AttendanceRecord {
  /** Which participation: by the provider's participation id, or by its booking id. */
  participationProviderId: string | null
  /** The participation's id before the provider renamed it: a desk that still holds that one applies the mark to it. */
  formerParticipationProviderId?: string
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
export interface SessionRef<Raw = unknown> {
  id: number
  providerId: string
  scheduleId: string | null
  kind: string
  timeZone: string
  /** What the provider stored as the session's `raw` (null for sessions made on the desk). */
  raw: Raw | null
}

export interface ParticipationRef<Raw = unknown> {
  id: number
  providerId: string
  externalId: string | null
  sessionProviderId: string | null
  scheduleId: string | null
  name: string
  email: string | null
  phone: string | null
  partySize: number
  status: ParticipationStatus
  revision: string | null
  /** What the provider stored as the participation's `raw` (null for walk-ins not yet sent). */
  raw: Raw | null
}

/** One outbox operation, handed to the provider with what it refers to. */
export interface PushOperation<X extends ProviderExt = ProviderExt> {
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
  session: SessionRef<X['session']>
  participation: ParticipationRef<X['participation']>
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

export type PushOutcome<X extends ProviderExt = ProviderExt> =
  | {
      result: 'done'
      /** The participation as the provider now holds it (new revision, server id), to store locally. */
      participation?: ParticipationRecord<X['participation']>
      attendanceProviderId?: string | null
      /** The mark the provider holds now, as this desk has just seen it (becomes the last-seen one). */
      seen?: { status: AttendanceStatus; attendees: number }
      /** The mark as the provider holds it when it differs (e.g. settled against another station's check-in). */
      attendance?: AttendanceRecord
    }
  /** `why` as a code the window words; a service's own words go in `provider_said`. */
  | { result: 'conflict'; why: SyncReason; server?: { status: AttendanceStatus; attendees: number } }
  | { result: 'rejected'; why: SyncReason }

import type { ConnectionReport } from '../../shared/contract'
export type { ConnectionReport }

/** A batch of past sessions and what the service holds for them (attendance history). */
export interface HistoryPage<X extends ProviderExt = ProviderExt> {
  sessions: SessionRecord<X['session']>[]
  /** Bookings of these sessions (of one session, or of a course they belong to). */
  participations: ParticipationRecord<X['participation']>[]
  /** Marks kept apart from the bookings (Wix Bookings attendance), each naming its session. */
  attendance: AttendanceRecord[]
}

/**
 * What the desk must know of a booking system without a connection to it (a session's rules are
 * asked for sessions already on the desk, whatever is set up now): declared in the provider's
 * folder, listed in registry.ts. Everything is about the service, never about the engine.
 */
export interface ProviderTraits<SessionRaw = unknown> {
  /** False: the desk itself settles the operations (local-only mode); nothing there can be offline. */
  needsNetwork: boolean
  /** What the service calls a right its keys may lack (when a refusal does not name it). */
  grant: MissingPermission['kind']
  /** What the service allows in one of its sessions where that differs from the usual. */
  sessionRules(session: { raw: SessionRaw | null }): SessionRules
  /** The service refuses a new participant without an email address. */
  walkInNeedsEmail: boolean
  /**
   * Where that depends on the session (a LAN hub relays its own service's rule): the service that
   * refuses a walk-in without an email in this session, null for none. Overrides walkInNeedsEmail.
   */
  walkInEmailFrom?(session: { raw: SessionRaw | null }): RemoteProviderName | null
  /** A walk-in checked in at once is one operation there (created, confirmed and checked in together). */
  walkInChecksInTogether: boolean
  /** The service records check-outs (otherwise a check-out stays on the desk). */
  sendsCheckOut: boolean
  /** Marks name the station that made them: worth showing on the row. */
  namesStations: boolean
}

export interface Provider<X extends ProviderExt = ProviderExt> {
  readonly name: ProviderName
  /** As in ProviderTraits (absent: true): the engine settles such a provider's operations without a network. */
  readonly needsNetwork?: boolean
  /** As in ProviderTraits (absent: 'permission'). */
  readonly grant?: MissingPermission['kind']
  /** Providers that limit requests per hour count them here (shown in the Sync panel). */
  readonly requestBudget?: RequestBudget
  /**
   * Reads every API the desk uses and names each permission the key lacks. `readsOnly`: the engine's
   * unattended probe, which asks only whether the service answers and never writes, not even to an
   * id that cannot exist.
   */
  testConnection(options?: { readsOnly?: boolean }): Promise<ConnectionReport>
  /** Sessions overlapping [from, to), as seen in `timeZone`. */
  pullSessions(range: { from: number; to: number; timeZone: string }): AsyncIterable<SessionRecord<X['session']>[]>
  /**
   * The session's roster, page by page. A provider that can go on from where an interrupted
   * download stopped sets `resumeAfter` on each page (an opaque token) and takes the last one back
   * as `resumeFrom`; it throws a non-retryable ProviderError when the token is no longer valid.
   */
  pullRoster(session: SessionRef<X['session']>, resumeFrom?: string | null): AsyncIterable<RosterPage<X['participation']>>
  pullAttendance(session: SessionRef<X['session']>): AsyncIterable<AttendanceRecord[]>
  /**
   * Past sessions with their bookings and marks, for attendance history (a few requests for many
   * sessions). Absent: the engine reads each past session's roster and marks one by one.
   */
  pullHistory?(range: { from: number; to: number; timeZone: string }): AsyncIterable<HistoryPage<X>>
  /**
   * Whether pullAttendance lists every mark the service holds for the session, so that a mark
   * missing from a complete download was deleted there (false or absent: marks travel otherwise,
   * e.g. inside the participations, and nothing is concluded from their absence).
   */
  attendanceComplete?(session: SessionRef<X['session']>): boolean
  /**
   * Sends one operation. Throws a ProviderError for transport problems and answers that say
   * "try later" or "sign in"; resolves with the operation's fate otherwise.
   */
  push(op: PushOperation<X>): Promise<PushOutcome<X>>
  /** Operations that can go in one request with `op` (e.g. Wix bulk attendance), up to this many. */
  batchSize?(op: PushOperation<X>): number
  /** The largest batchSize() ever answers. */
  maxBatch?: number
  pushBatch?(ops: PushOperation<X>[]): Promise<PushOutcome<X>[]>
}

/** What the desk hands a provider it builds. */
export interface ProviderDeps {
  /** One count of the hour's requests for the desk, whichever provider object is current. */
  budget: RequestBudget
  now: () => number
  timeoutMs?: number
  /** Aborted when the desk closes: every provider request stops. */
  signal?: AbortSignal
  /** The booking system's Date header, for the clock-offset warning. */
  onServerDate: (serverMs: number, localMs: number) => void
  /** LAN sharing's store: the hub provider finds the hub this desk joined there (absent: no hub). */
  lan?: LanStore
}

/** A provider as registrations.ts lists it: exported by its folder, one line there. */
export interface ProviderRegistration {
  traits: ProviderTraits
  /** The provider for the stored settings, or null while they lack what it needs (the desk stays local till then). */
  build(settings: StoredSettings, deps: ProviderDeps): Provider | null
  /** The account whose history the desk pulls and how many days back (null: none to pull). */
  history(settings: StoredSettings): { account: string; days: number } | null
  /** What the settings lack before a connection can be tried (`field`: the set-up field to fill), or null. */
  lacks(settings: StoredSettings): { reason: 'api_key_needed' | 'tenant_address_needed'; field: string } | null
}

/** A page of a roster; `resumeAfter`: where a download goes on from after this page (see pullRoster). */
export type RosterPage<P = unknown> = ParticipationRecord<P>[] & { resumeAfter?: string }
