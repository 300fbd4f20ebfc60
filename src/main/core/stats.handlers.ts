/** What main does for live stats and the audit log. */
import type { SessionCounts } from '../../shared/contract'
import type { HandlersFor } from '../ipc/dispatcher'
import type { DeskParts } from './parts'
import { createDeskCounts } from './desk-counts'

const SUMMED = ['arrivedPeople', 'expectedPeople', 'participations', 'checkedIn', 'insideNow', 'noShows', 'pendingConfirmations'] as const

export function statsHandlers({ sessions, audit, ctx, providerDeps }: DeskParts): HandlersFor<'stats.session' | 'stats.day' | 'audit.list'> {
  const desks = createDeskCounts(ctx, providerDeps.lan)
  return {
    'stats.session': ({ sessionId, slotMinutes }) => {
      const session = sessions.require(sessionId)
      return {
        counts: sessions.counts(session),
        arrivals: audit.arrivals(sessionId, slotMinutes),
        byDesk: desks.forSession(session)
      }
    },
    'stats.day': ({ date, timeZone }) => {
      const day = sessions.forDay(date, timeZone)
      const totals: SessionCounts = { arrivedPeople: 0, expectedPeople: 0, capacity: null, participations: 0, checkedIn: 0, insideNow: 0, noShows: 0, pendingConfirmations: 0 }
      for (const s of day) {
        for (const key of SUMMED) totals[key] += s.counts[key]
        if (s.counts.capacity !== null) totals.capacity = (totals.capacity ?? 0) + s.counts.capacity
      }
      return { sessions: day, totals }
    },
    'audit.list': (input) => ({ entries: audit.list(input) })
  }
}
