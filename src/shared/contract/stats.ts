/** Live stats and the audit log. */
import { z } from 'zod'
import { id, isoDate, isoInstant, timeZone } from './common'
import { SyncReason } from './reasons'
import { Session, SessionCounts } from './sessions'

export const AuditEntry = z.object({
  id,
  at: isoInstant,
  deskId: z.string(),
  /** The desk's name: this desk's, or another LAN desk's as the hub told it; null when unknown. */
  deskName: z.string().nullable().optional(),
  action: z.string(),
  sessionTitle: z.string().nullable(),
  personName: z.string().nullable(),
  details: z.unknown(),
  /** The booking system's side: null when nothing needs sending (local-only, imports). */
  /** Why the mark was set aside, as a code for the window to word (a row from before codes: `stored_words`). */
  sync: z.object({ state: z.string(), uploadedAt: isoInstant.nullable(), errorReason: SyncReason.nullable() }).nullable()
})
export type AuditEntry = z.infer<typeof AuditEntry>

/** How many of the session's people one desk checked in today (several desks on one roster). */
export const DeskCount = z.object({
  /** null: marks the booking system holds without a desk (another tool, or before desks were named). */
  deskId: z.string().nullable(),
  /** The desk's name where this desk knows it (itself, a member of this hub, its hub); null: shown by id. */
  deskName: z.string().nullable(),
  thisDesk: z.boolean(),
  bookings: z.number().int(),
  people: z.number().int()
})
export type DeskCount = z.infer<typeof DeskCount>

export const statsCalls = {
  'stats.session': {
    input: z.object({ sessionId: id, slotMinutes: z.union([z.literal(5), z.literal(10), z.literal(15), z.literal(30), z.literal(60)]).default(15) }).strict(),
    output: z.object({
      counts: SessionCounts,
      arrivals: z.array(z.object({ slotStart: z.string(), people: z.number().int() })),
      /** Today's arrivals by the desk that checked them in, most first. */
      byDesk: z.array(DeskCount).default([])
    })
  },
  'stats.day': {
    input: z.object({ date: isoDate, timeZone }).strict(),
    output: z.object({ sessions: z.array(Session), totals: SessionCounts })
  },
  'audit.list': {
    admin: 'see_audit',
    input: z.object({ sessionId: id.nullable().default(null), beforeId: id.nullable().default(null), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.object({ entries: z.array(AuditEntry) })
  }
} as const
