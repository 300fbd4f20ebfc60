/**
 * Shapes of the fake Plandocket: the entities as /work/shared/contracts/plandocket.md lists them,
 * the switches that pick one plausible form for each of the contract's unknowns, and the fault,
 * log and matcher types (the common ones, so suites treat both fakes alike).
 */
import type { LoggedRequest as CommonLoggedRequest, RouteMatcher as CommonRouteMatcher } from '../common'

export type Scope = 'events' | 'participants' | 'contacts' | 'checkins'
export const ALL_SCOPES: readonly Scope[] = ['events', 'participants', 'contacts', 'checkins']

export interface PlandocketEvent {
  id: number
  event_key: string
  title: string
  description: string
  city: string
  country: string
  /** ISO 8601, returned exactly as seeded (date-time, with or without offset; no offset = UTC). */
  date_from: string
  date_to: string
  is_visible: boolean
}

export interface Contact {
  id: number
  customer_number: string
  first_name: string
  last_name: string
  company_name: string | null
  email: string | null
  phone: string | null
  mobile: string | null
  /** "address fields" in the contract. */
  street: string | null
  zip: string | null
  city: string | null
  country: string | null
}

export interface Category {
  id: number
  name: string
}

/** State as stored. Timestamps are canonical ISO strings here; `settings.timestamps` picks the wire form. */
export interface Participant {
  id: number
  event_id: number
  contact_id: number
  is_confirmed: boolean
  created_at: string
  updated_at: string
  /** Not in the contract's participant fields, never rendered: what `badge_number` on a check-in resolves to. */
  badge_number: string | null
  /** Only rendered with `include=category`. */
  category: Category | null
}

export type CheckInAction = 'check_in' | 'check_out'
export type CheckInType = 'manual' | 'scan' | 'app'
export const CHECK_IN_ACTIONS: readonly CheckInAction[] = ['check_in', 'check_out']
export const CHECK_IN_TYPES: readonly CheckInType[] = ['manual', 'scan', 'app']

export interface CheckIn {
  id: number
  event_participant_id: number
  event_id: number
  event_key: string
  /** The contact as it was when checked in. */
  contact: Contact
  check_in_type: CheckInType
  badge_number: string | null
  station: string | null
  checked_in_at: string | null
  checked_out_at: string | null
  is_checked_in: boolean
  checked_in_by: string
  notes: string | null
}

export type EventSeed = Partial<PlandocketEvent>
export type ContactSeed = Partial<Contact>
/** `event_id` or `event_key`, and `contact_id` or `customer_number` or `contact` (a new contact). */
export type ParticipantSeed = Partial<Participant> & { event_key?: string; customer_number?: string; contact?: ContactSeed }
/** `event_participant_id` is required; the rest follows from the participant. */
export type CheckInSeed = Partial<Omit<CheckIn, 'contact'>> & { event_participant_id: number }
export type SeedMaker<T> = T | ((index: number) => T)

/** Knobs a test may flip at any time through `fake.settings` (or `fake.configure()`, which checks them). */
export interface FakePlandocketSettings {
  /**
   * List bodies: `bare` = `[…]`; `data` = `{data:[…]}`; `full` = `{data:[…], meta:{…}, links:{…, next}}`.
   */
  listEnvelope: 'bare' | 'data' | 'full'
  /**
   * `page`: `page`/`per_page` honoured (short or empty last page; with `full`, links.next is the next
   * page's URL); `links`: opaque cursor in an absolute `links.next` URL, `page` ignored (needs
   * `listEnvelope: 'full'`); `none`: everything in one answer, `page`/`per_page` ignored (page 2 =
   * page 1 again).
   */
  paging: 'page' | 'links' | 'none'
  /** Rows per page when the client sends no per_page. */
  defaultPerPage: number
  /** A larger per_page is quietly clamped to this (the answer is then shorter than asked, not last). */
  maxPerPage: number
  /** Single-resource bodies: `bare` = `{…}`; `data` = `{data:{…}, meta:{request_id}}` (the sample's form). */
  singleEnvelope: 'bare' | 'data'
  /**
   * `created_at`/`updated_at`/`checked_in_at`/`checked_out_at` on the wire: `iso` strings, `unix`
   * seconds, or `mixed` (unix in single-resource answers like the sample, ISO in lists).
   * Events' `date_from`/`date_to` are documented ISO and always stay so.
   */
  timestamps: 'iso' | 'unix' | 'mixed'
  /**
   * A participant in a single-resource answer (GET one, POST, PUT/PATCH): `full` = the documented
   * fields; `participant_id` = the same with `participant_id` instead of `id`; `sample` = exactly
   * the sample's `{participant_id, created_at, updated_at}`.
   */
  participantShape: 'full' | 'participant_id' | 'sample'
  /** POST /participants for a contact already on the event. */
  duplicateParticipantStatus: 409 | 422
  /** Status of a successful create (POST participants, contacts, check-ins). */
  createdStatus: 200 | 201
  /** PUT: like PATCH (`patch`), or a full replacement that requires `is_confirmed` (`replace`). */
  putSemantics: 'patch' | 'replace'
  /**
   * `check_in` for a participant who is already in: a new record (`create`, which Plandocket's
   * rules forbid: it is logged in `violations()`), 422 (`reject`) or 409 (`conflict`).
   */
  repeatCheckIn: 'create' | 'reject' | 'conflict'
  /** Send `X-RateLimit-Limit/Remaining/Reset` on every answer (the contract announces them). */
  rateLimitHeaders: boolean
  /** Authenticated requests allowed per hour (on the injected clock), then 429; undefined = unlimited. */
  rateLimitPerHour: number | undefined
}

/** Something a client did that Plandocket's rules forbid but this fake was set to let through. */
export interface Violation {
  rule: 'second_open_check_in'
  participantId: number
  eventKey: string
  /** The open check-in that was already there, and the one the client added beside it. */
  openCheckInId: number
  newCheckInId: number
  station: string | null
}

export interface KeySpec {
  scopes?: readonly Scope[]
  /** Shown as a check-in's `checked_in_by`. Default `API`. */
  user?: string
}

export interface FakePlandocketOptions extends Partial<FakePlandocketSettings> {
  /** The default key (all scopes unless `scopes`). Default `pd_test_key`. */
  apiKey?: string
  scopes?: readonly Scope[]
  /** More keys, each with its own scopes. */
  keys?: Record<string, KeySpec>
  /** 0 (default) = any free port. */
  port?: number
  /** Same seed → same request ids. Ids of rows are counters and always deterministic. */
  seed?: string | number
  now?: () => number | Date
  /** First id per kind. Defaults differ per kind so an id used as the wrong kind is not found. */
  firstIds?: Partial<Record<'event' | 'contact' | 'participant' | 'checkIn', number>>
}

export type { Fault, FaultWhen } from '../common'

/**
 * `'POST /check-ins'`, `'/participants'` (any method), a RegExp on the path, or a predicate. Paths
 * are relative to the base path `/api/v1`; the full path (`/api/v1/check-ins`) matches as well.
 */
export type RouteMatcher = CommonRouteMatcher

export interface LoggedRequest extends CommonLoggedRequest {
  /** Relative to `/api/v1` (e.g. `/participants/3`); the full path if outside it. */
  path: string
  fullPath: string
  query: Record<string, string>
}
