/**
 * What a hub and its members exchange about sessions, rosters and marks (desk-routes.ts on the
 * hub, providers/hub on the member): zod schemas checked on both ends, built from the contract's
 * own enums (attendance and booking statuses) so a LAN payload allows no value a desk does not.
 */
import { z } from 'zod'
import { AttendanceStatus, LIMITS, ParticipationStatus } from '../../shared/contract'
import { REMOTE_PROVIDERS } from '../../shared/contract/constants'

/** Page sizes: a roster page as large as the window's (a 100,000-person roster in 200 requests). */
export const PAGE_SESSIONS = 500
export const PAGE_ROSTER = LIMITS.rosterPage
export const PAGE_ATTENDANCE = 2000
/** Marks in one upload: the member's outbox sends up to this many in order. */
export const MAX_MARKS = 200

const key = z.string().min(3).max(600)
const text = z.string().max(1000)
const millis = z.number().int().min(0).max(8.64e15)
/** Where the next page starts: the hub's own token, handed back as it came. */
const Cursor = z.string().regex(/^[A-Za-z0-9_-]{1,1400}$/).nullable()

export const HubSession = z
  .object({
    key,
    title: text,
    startsAt: millis,
    endsAt: millis,
    timeZone: z.string().min(1).max(64),
    allDay: z.boolean(),
    capacity: z.number().int().nullable(),
    scheduleId: text.nullable(),
    scheduleName: text.nullable(),
    kind: z.string().max(64),
    status: z.enum(['CONFIRMED', 'CANCELLED']),
    revision: z.string().max(40),
    rules: z.object({ walkIns: z.enum(['sync', 'desk_only']), confirm: z.enum(['desk', 'wix_bookings']) }).strict(),
    /** The hub's service that refuses a walk-in without an email (Plandocket): the member asks for one first. */
    walkInEmail: z.enum(REMOTE_PROVIDERS).nullable().default(null)
  })
  .strict()
export type HubSession = z.infer<typeof HubSession>

export const HubParticipation = z
  .object({
    key,
    /** The session's key, or null for a course participation (it names its course). */
    session: key.nullable(),
    scheduleId: text.nullable(),
    externalId: text.nullable(),
    name: text,
    email: text.nullable(),
    phone: text.nullable(),
    contactId: text.nullable(),
    customerNumber: text.nullable(),
    bookingId: text.nullable(),
    badgeNumber: text.nullable(),
    partySize: z.number().int().min(1).max(LIMITS.partySize),
    status: ParticipationStatus,
    revision: z.string().max(40),
    /** The key this person had before (a walk-in the hub's booking system gave its own id): a member holding it renames its row. */
    formerKey: key.optional()
  })
  .strict()
export type HubParticipation = z.infer<typeof HubParticipation>

export const HubAttendance = z
  .object({
    participation: key,
    /** The participation's key before the hub's booking system renamed it (see HubParticipation). */
    formerKey: key.optional(),
    status: AttendanceStatus,
    attendees: z.number().int().min(0).max(LIMITS.partySize),
    markedAt: millis.nullable(),
    deskId: z.string().max(64).nullable(),
    checkedOutAt: millis.nullable()
  })
  .strict()
export type HubAttendance = z.infer<typeof HubAttendance>

export const SessionsPage = z.object({ sessions: z.array(HubSession).max(PAGE_SESSIONS), next: Cursor }).strict()
export const RosterPageAnswer = z.object({ participations: z.array(HubParticipation).max(PAGE_ROSTER), next: Cursor }).strict()
export const AttendancePage = z.object({ attendance: z.array(HubAttendance).max(PAGE_ATTENDANCE), next: Cursor }).strict()

const Mark = z.object({ status: AttendanceStatus, attendees: z.number().int().min(0).max(LIMITS.partySize) }).strict()

/** One mark a member made, as its outbox holds it: the operation id is its idempotency key at the hub. */
export const MemberMark = z
  .object({
    opId: z.string().min(8).max(64),
    session: key,
    participation: key,
    status: AttendanceStatus,
    attendees: z.number().int().min(0).max(LIMITS.partySize),
    /** When the member's desk made it (the real scan time, not when it reached the hub). */
    markedAt: millis,
    method: z.enum(['manual', 'scan', 'paper']),
    /** The hub's mark as the member last saw it (null: none); another desk's mark it did not see is a conflict. */
    previous: Mark.nullable(),
    /** The member chose to overrule the other desk's mark. */
    force: z.boolean(),
    /** The member undid its last mark (status is what the undo restored). */
    undo: z.boolean().optional(),
    /** The person left (status stays ATTENDED): a check-out. */
    checkOut: z.boolean().optional()
  })
  .strict()
  .refine((m) => (m.status === 'ATTENDED') === m.attendees >= 1, 'attendees must match the status')
export type MemberMark = z.infer<typeof MemberMark>

export const MarkBatch = z.object({ ops: z.array(MemberMark).min(1).max(MAX_MARKS) }).strict()
export type MarkBatch = z.infer<typeof MarkBatch>

export const MarkOutcome = z.discriminatedUnion('result', [
  /** Applied at the hub now, or earlier (`duplicate`: a resent mark, nothing applied twice). */
  z.object({ result: z.literal('done'), duplicate: z.boolean() }).strict(),
  /** Another desk's mark stands at the hub: which, by whom and when. */
  z.object({ result: z.literal('conflict'), mark: Mark.extend({ markedAt: millis, deskId: z.string().nullable(), deskName: text }) }).strict(),
  /**
   * Not applied: the person or session is gone or cancelled; `refused` when the hub's rules say no
   * (`reason`: the desk's refusal code, e.g. not_inside); `internal` when the hub failed on this mark
   * alone (the others in the batch stand).
   */
  z
    .object({
      result: z.literal('rejected'),
      code: z.enum(['not_found', 'session_cancelled', 'booking_cancelled', 'refused', 'internal']),
      reason: z.string().max(64).optional()
    })
    .strict()
])
export type MarkOutcome = z.infer<typeof MarkOutcome>
export const MarkOutcomes = z.object({ outcomes: z.array(MarkOutcome).max(MAX_MARKS) }).strict()
export type MarkOutcomes = z.infer<typeof MarkOutcomes>

// ---- The live stream (GET /stream, a long poll over the same pinned TLS) ----------------------
/** At most this many rows in one stream answer; more changes at once name their sessions instead. */
export const STREAM_MARKS = 500
/**
 * How long the hub holds a stream request with nothing new: a member whose cable is pulled finds
 * out when the next one fails, so this is also how soon it says "cut off" (well under the client's
 * 30 s request timeout).
 */
export const STREAM_HOLD_MS = 10_000
/** `<hub run>.<sequence>`: where the member's stream goes on from. */
export const StreamCursor = z.string().regex(/^[0-9a-f]{12}\.\d{1,15}$/)

/** A person's mark at the hub as it is now (NOT_SET: cleared). */
export const StreamMark = HubAttendance.extend({ session: key }).strict()
export type StreamMark = z.infer<typeof StreamMark>

export const StreamAnswer = z
  .object({
    cursor: StreamCursor,
    /** The member missed changes (first call, the hub restarted, or it was away too long): download the day's marks again. */
    reset: z.boolean(),
    marks: z.array(StreamMark).max(STREAM_MARKS),
    /** Sessions whose marks changed wholesale (the hub's own download): download their marks. */
    sessions: z.array(key).max(STREAM_MARKS),
    /** The desks that made marks here, by name: the member shows "at Desk 2", never an id. */
    desks: z.array(z.object({ deskId: z.string().max(64), deskName: text }).strict()).max(1000)
  })
  .strict()
export type StreamAnswer = z.infer<typeof StreamAnswer>

// ---- Walk-ins and confirmations a member makes (POST /walk-in, POST /confirm) ----------------
/** A person added at a member's desk: the member's own id for them becomes the hub's (a resend finds them). */
export const WalkInRequest = z
  .object({
    opId: z.string().min(8).max(64),
    session: key,
    key: z.string().regex(/^walk-in:[A-Za-z0-9-]{8,64}$/),
    name: z.string().trim().min(1).max(LIMITS.name),
    email: z.string().max(254).nullable(),
    phone: z.string().max(40).nullable(),
    partySize: z.number().int().min(1).max(LIMITS.partySize),
    /** Checked in as they were added (the member's scan time, on the hub's clock). */
    checkIn: z.object({ markedAt: millis }).strict().nullable()
  })
  .strict()
export type WalkInRequest = z.infer<typeof WalkInRequest>

export const ConfirmRequest = z.object({ opId: z.string().min(8).max(64), session: key, participation: key }).strict()
export type ConfirmRequest = z.infer<typeof ConfirmRequest>

/** The person as the hub now holds them (a walk-in's key is the hub's from now on), or why not. */
export const BookingAnswer = z.discriminatedUnion('result', [
  z.object({ result: z.literal('done'), participation: HubParticipation }).strict(),
  z
    .object({
      result: z.literal('rejected'),
      code: z.enum(['not_found', 'session_cancelled', 'booking_cancelled', 'refused', 'internal']),
      reason: z.string().max(64).optional()
    })
    .strict()
])
export type BookingAnswer = z.infer<typeof BookingAnswer>
