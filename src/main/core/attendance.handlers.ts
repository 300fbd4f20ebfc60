/**
 * What main does for the marks: each is committed locally first, then the sync engine is told
 * there is something to send (it never holds the answer up). Rows answered to a self-service
 * kiosk never carry contact details.
 */
import type { RosterRow } from '../../shared/contract'
import type { HandlersFor } from '../ipc/dispatcher'
import { maskRow } from './kiosk'
import type { DeskParts } from './parts'

export function attendanceHandlers({ attendance, kiosk, engine, events }: DeskParts): HandlersFor<
  'attendance.checkIn' | 'attendance.undo' | 'attendance.checkOut' | 'attendance.noShow' | 'attendance.walkIn' | 'attendance.confirm'
> {
  const marked = (row: RosterRow): RosterRow => {
    void engine.trigger('mark')
    events.row(row.sessionId, row.participationId)
    return kiosk.selfService() ? maskRow(row) : row
  }
  return {
    'attendance.checkIn': (input) => marked(attendance.checkIn(input)),
    'attendance.undo': (input) => marked(attendance.undo(input)),
    'attendance.checkOut': (input) => marked(attendance.checkOut(input)),
    'attendance.noShow': (input) => marked(attendance.noShow(input)),
    'attendance.walkIn': (input) => {
      const row = marked(attendance.walkIn(input))
      // A new row: other windows showing the roster query it again.
      events.sessions([row.sessionId])
      return row
    },
    'attendance.confirm': (input) => marked(attendance.confirm(input))
  }
}
