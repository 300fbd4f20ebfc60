/** Building blocks every domain of the contract uses. */
import { z } from 'zod'
import { ADMIN_ACTIONS, PROVIDERS, REMOTE_PROVIDERS } from './constants'

export const id = z.number().int().positive()
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
export const isoInstant = z.iso.datetime({ offset: true })
export const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz })
      return true
    } catch {
      return false
    }
  }, 'unknown IANA time zone')

/**
 * Why main said what it said, as a stable machine code (`reason`) with typed parameters (`params`).
 * Main sends no words: the window's dictionaries word every code (messages/en.ts, de.ts), and the
 * log words them in English from the same English table (main/log/english.ts). Text that comes
 * verbatim from a booking system stays as it is, inside the params.
 */
export const reason = <R extends string, P extends z.ZodRawShape>(code: R, params: P) => z.object({ reason: z.literal(code), params: z.object(params) })
export const int = z.number().int()
export const service = z.enum(PROVIDERS)
/** A booking system somewhere else (not local-only mode). */
export const remoteService = z.enum(REMOTE_PROVIDERS)

/** Admin actions that need the PIN in kiosk mode. */
export const AdminAction = z.enum(ADMIN_ACTIONS)
export type AdminAction = z.infer<typeof AdminAction>

export const AttendanceStatus = z.enum(['NOT_SET', 'ATTENDED', 'NOT_ATTENDED'])
export type AttendanceStatus = z.infer<typeof AttendanceStatus>

export const ParticipationStatus = z.enum(['CONFIRMED', 'PENDING_CONFIRMATION', 'CANCELLED'])
export type ParticipationStatus = z.infer<typeof ParticipationStatus>

export const ProviderName = z.enum(PROVIDERS)
export type ProviderName = z.infer<typeof ProviderName>

/** A permission (Wix) or scope (Plandocket) a key lacks, by the service's own name, and what needs it. */
export const MissingPermission = z.object({
  name: z.string(),
  kind: z.enum(['permission', 'scope']),
  use: z.enum(['sessions', 'roster', 'check_ins', 'walk_ins'])
})
export type MissingPermission = z.infer<typeof MissingPermission>

export const empty = z.object({}).strict()
