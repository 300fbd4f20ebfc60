/** Marks: check-in, undo, no-show, check-out, walk-ins, confirmations, scans. */
import { z } from 'zod'
import { LIMITS } from './constants'
import { id, isoInstant } from './common'
import { ScanReason } from './reasons'
import { RosterRow } from './roster'

export const ScanOutcome = z
  .object({
    /** checked_in: green; already: amber (with when and where); unknown / wrong_session: red, nothing changed. */
    outcome: z.enum(['checked_in', 'checked_out', 'already', 'unknown', 'wrong_session', 'refused']),
    row: RosterRow.nullable(),
    /** For wrong_session: the session the code belongs to (its times are in its own zone). */
    otherSession: z.object({ id, title: z.string(), startsAt: isoInstant, timeZone: z.string() }).nullable()
  })
  .and(ScanReason)
export type ScanOutcome = z.infer<typeof ScanOutcome>

export const attendanceCalls = {
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
    admin: 'mark_no_shows',
    input: z.object({ sessionId: id, participationId: id }).strict(),
    output: RosterRow
  },
  /** The person leaves; checking them in again later is re-entry. */
  'attendance.checkOut': {
    input: z.object({ sessionId: id, participationId: id, method: z.enum(['manual', 'scan']).default('manual') }).strict(),
    output: RosterRow
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
  }
} as const
