/**
 * Attendance history in the contract (issue 20): what the desk may show about a person's past
 * visits and no-shows, and a series' no-show statistics. Main computes (main/history); the window
 * words it. Kept in its own file so the contract's history calls stay together.
 */
import { z } from 'zod'
import { id, timeZone } from './common'
import { ExportFile, ExportLanguage } from './export'

/** Figures over a set of past sessions (one series, or all of them). */
export const HistoryFigures = z.object({
  /** Sessions the person was checked in to. */
  visits: z.number().int(),
  /** …of them in the last 90 days. */
  visitsRecent: z.number().int(),
  /** Start of the last session attended (ms), null: never. */
  lastVisitAt: z.number().nullable(),
  /** No-shows among the last `lastBooked` (at most 5) booked sessions that are over. */
  noShowsOfLast: z.number().int(),
  lastBooked: z.number().int(),
  noShows: z.number().int()
})
export type HistoryFigures = z.infer<typeof HistoryFigures>

export const PersonHistory = z.object({
  participationId: z.number().int(),
  /** Never checked in to any session before this one. */
  firstVisit: z.boolean(),
  seriesName: z.string(),
  series: HistoryFigures,
  overall: HistoryFigures,
  /** The latest decided sessions (details only), newest first. */
  recent: z.array(z.object({ title: z.string(), startsAt: z.number(), attended: z.boolean(), sameSeries: z.boolean() }))
})
export type PersonHistory = z.infer<typeof PersonHistory>

export const SeriesStats = z.object({
  seriesName: z.string(),
  days: z.number().int(),
  sessions: z.array(
    z.object({
      /** null: a session that has left the replica (kept in the history only). */
      sessionId: z.number().int().nullable(),
      title: z.string(),
      startsAt: z.number(),
      booked: z.number().int(),
      attended: z.number().int(),
      noShows: z.number().int(),
      /** null: nobody was marked, so the rate is unknown (not 0). */
      noShowRate: z.number().nullable()
    })
  ),
  repeated: z.array(
    z.object({
      name: z.string(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      noShows: z.number().int(),
      booked: z.number().int(),
      lastNoShowAt: z.number(),
      lastVisitAt: z.number().nullable()
    })
  )
})
export type SeriesStats = z.infer<typeof SeriesStats>

/** The periods the stats offer (days). */
export const HISTORY_PERIODS = [30, 90, 180, 365] as const
export const HistoryPeriod = z.union(HISTORY_PERIODS.map((d) => z.literal(d)) as [z.ZodLiteral<30>, z.ZodLiteral<90>, z.ZodLiteral<180>, z.ZodLiteral<365>])

// Hidden from a self-service kiosk (privacy): main answers nothing there.
export const historyCalls = {
  /** The row's figures for the people on screen, by participation (null: no way to know who they are). */
  'history.people': {
    input: z.object({ sessionId: id, participationIds: z.array(id).min(1).max(200) }).strict(),
    output: z.object({ people: z.array(PersonHistory.nullable()) })
  },
  'history.person': { input: z.object({ sessionId: id, participationId: id }).strict(), output: PersonHistory.nullable() },
  'history.series': { input: z.object({ sessionId: id, days: HistoryPeriod.default(90) }).strict(), output: SeriesStats },
  'history.noShowsCsv': {
    admin: 'export_roster',
    input: z.object({ sessionId: id, days: HistoryPeriod.default(90), language: ExportLanguage.default('en'), timeZone }).strict(),
    output: ExportFile
  }
} as const
