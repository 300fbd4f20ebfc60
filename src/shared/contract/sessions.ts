/** The day's sessions and the desk itself. */
import { z } from 'zod'
import { LIMITS } from './constants'
import { ProviderName, empty, id, isoDate, isoInstant, timeZone } from './common'

export const SessionCounts = z.object({
  /** People who arrived: the sum of attendees over checked-in participations. */
  arrivedPeople: z.number().int(),
  /** People expected: the sum of party sizes over participations that are not cancelled. */
  expectedPeople: z.number().int(),
  capacity: z.number().int().nullable(),
  participations: z.number().int(),
  checkedIn: z.number().int(),
  /** Checked in and not checked out again (people, like arrivedPeople). */
  insideNow: z.number().int().default(0),
  noShows: z.number().int(),
  pendingConfirmations: z.number().int()
})
export type SessionCounts = z.infer<typeof SessionCounts>

export const Session = z.object({
  id,
  provider: ProviderName,
  providerId: z.string(),
  title: z.string(),
  startsAt: isoInstant,
  endsAt: isoInstant,
  timeZone: z.string(),
  capacity: z.number().int().nullable(),
  kind: z.string(),
  status: z.enum(['CONFIRMED', 'CANCELLED']),
  scheduleId: z.string().nullable(),
  /** The session's booking system refuses a walk-in without an email address (the dialog asks first). */
  walkInNeedsEmail: z.boolean(),
  counts: SessionCounts
})
export type Session = z.infer<typeof Session>

export const DeskInfo = z.object({
  deskId: z.string(),
  deskName: z.string(),
  provider: ProviderName,
  version: z.string()
})
export type DeskInfo = z.infer<typeof DeskInfo>

export const sessionCalls = {
  'desk.info': { input: empty, output: DeskInfo },
  'sessions.forDay': {
    input: z.object({ date: isoDate, timeZone }).strict(),
    output: z.object({ sessions: z.array(Session) })
  },
  'sessions.get': { input: z.object({ sessionId: id }).strict(), output: Session },
  'sessions.create': {
    input: z
      .object({
        title: z.string().trim().min(1, 'a session needs a title').max(LIMITS.name),
        startsAt: isoInstant,
        endsAt: isoInstant,
        timeZone,
        capacity: z.number().int().min(1).max(100_000).nullable()
      })
      .strict()
      .refine((s) => Date.parse(s.endsAt) > Date.parse(s.startsAt), 'a session must end after it starts'),
    output: Session
  },
  'sessions.close': {
    admin: 'close_session',
    input: z.object({ sessionId: id }).strict(),
    output: z.object({ marked: z.number().int(), counts: SessionCounts })
  }
} as const
