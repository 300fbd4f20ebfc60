/** What main does for the sessions calls: the day's list, one session, a new one, closing one. */
import type { HandlersFor } from '../ipc/dispatcher'
import type { DeskParts } from './parts'

export function sessionHandlers({ sessions, attendance, settings, info, freshness, engine, events }: DeskParts): HandlersFor<
  'desk.info' | 'sessions.forDay' | 'sessions.get' | 'sessions.create' | 'sessions.close'
> {
  return {
    'desk.info': () => ({ ...info, provider: settings.current().provider }),
    'sessions.forDay': ({ date, timeZone }) => {
      freshness.readDay(date, timeZone)
      return { sessions: sessions.forDay(date, timeZone) }
    },
    'sessions.get': ({ sessionId }) => sessions.get(sessionId),
    'sessions.create': (input) => {
      const created = sessions.create(input)
      events.sessions(null)
      return created
    },
    'sessions.close': ({ sessionId }) => {
      const { marked } = attendance.closeSession({ sessionId })
      void engine.trigger('mark')
      events.sessions([sessionId])
      return { marked, counts: sessions.counts(sessions.require(sessionId)) }
    }
  }
}
