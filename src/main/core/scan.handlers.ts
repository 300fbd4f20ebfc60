/** What main does for a scan: the answer the full-screen feedback shows, and a sync when it marked. */
import type { HandlersFor } from '../ipc/dispatcher'
import { maskRow } from './kiosk'
import type { DeskParts } from './parts'

export function scanHandlers({ scanner, kiosk, engine, events }: DeskParts): HandlersFor<'attendance.scan'> {
  return {
    'attendance.scan': (input) => {
      const result = scanner.scan(input)
      if (result.outcome === 'checked_in' || result.outcome === 'checked_out') {
        void engine.trigger('mark')
        if (result.row) events.row(result.row.sessionId, result.row.participationId)
      }
      return { ...result, row: result.row && (kiosk.selfService() ? maskRow(result.row) : result.row) }
    }
  }
}
