/** What main does for attendance history. A self-service kiosk shows nobody's history (privacy). */
import type { DeskParts } from '../core/parts'
import type { HandlersFor } from '../ipc/dispatcher'

export function personHistoryHandlers({ sessions, kiosk, personHistory }: DeskParts): HandlersFor<'history.people' | 'history.person' | 'history.series' | 'history.noShowsCsv'> {
  return {
    'history.people': ({ sessionId, participationIds }) => {
      sessions.require(sessionId)
      if (kiosk.selfService()) return { people: participationIds.map(() => null) }
      return { people: personHistory.people(participationIds, sessionId) }
    },
    'history.person': ({ sessionId, participationId }) => {
      sessions.require(sessionId)
      return kiosk.selfService() ? null : personHistory.person(participationId, sessionId)
    },
    'history.series': ({ sessionId, days }) => {
      sessions.require(sessionId)
      if (kiosk.selfService()) return { seriesName: '', days, sessions: [], repeated: [] }
      return personHistory.series(sessionId, days)
    },
    'history.noShowsCsv': ({ sessionId, days, language, timeZone }) => {
      sessions.require(sessionId)
      return personHistory.noShowsCsv(sessionId, days, language, timeZone)
    }
  }
}
