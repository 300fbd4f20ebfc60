/** What main does for the roster calls: a page of rows (masked for a self-service kiosk), the counts. */
import type { HandlersFor } from '../ipc/dispatcher'
import { maskRow } from './kiosk'
import type { DeskParts } from './parts'

export function rosterHandlers({ roster, sessions, kiosk, watch, freshness }: DeskParts): HandlersFor<'roster.page' | 'roster.counts'> {
  return {
    'roster.page': (input) => {
      watch.viewing(input.sessionId)
      if (input.offset === 0) freshness.readRoster(input.sessionId)
      if (kiosk.selfService()) {
        // Self-service: nobody browses the list; a person finds themselves by typing their name.
        if (input.search.trim().length < 3) return { total: 0, rows: [] }
        const page = roster.page(input)
        return { ...page, rows: page.rows.map(maskRow) }
      }
      return roster.page(input)
    },
    'roster.counts': ({ sessionId }) => sessions.counts(sessions.require(sessionId))
  }
}
