/** What main does for a roster export: one session, or every session of a day. */
import type { DeskParts } from '../core/parts'
import type { HandlersFor } from '../ipc/dispatcher'

export function exportHandlers({ exporter, sessions }: DeskParts): HandlersFor<'export.roster'> {
  return {
    'export.roster': (input) => {
      if ('sessionId' in input) return exporter.session(sessions.require(input.sessionId), input.columns, input.language)
      return exporter.sessions(input.date, sessions.forDay(input.date, input.timeZone).map((s) => s.id), input.columns, input.language)
    }
  }
}
