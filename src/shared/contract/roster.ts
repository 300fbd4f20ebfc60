/** A session's roster: its rows and counts. */
import { z } from 'zod'
import { LIMITS } from './constants'
import { AttendanceStatus, ParticipationStatus, id, isoInstant } from './common'
import { SessionCounts } from './sessions'

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
  attendance: Attendance,
  /**
   * Where this row's last change for the booking system is: waiting to be sent, sent (the service
   * accepted it), or set aside for the desk's decision. null: nothing was sent (local-only rows,
   * rows only downloaded, a change the desk discarded).
   */
  sync: z.enum(['waiting', 'sent', 'attention']).nullable().default(null),
  /**
   * When main read this row (increasing: a later read is never older). A call's answer and a
   * pushed change can reach the window in either order; the window keeps the later read.
   */
  readAt: z.number().default(0)
})
export type RosterRow = z.infer<typeof RosterRow>

export const rosterCalls = {
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
  'roster.counts': { input: z.object({ sessionId: id }).strict(), output: SessionCounts }
} as const
