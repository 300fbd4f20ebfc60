/** What main does for a roster import: a preview that changes nothing, then the commit. */
import type { DeskParts } from '../../core/parts'
import type { HandlersFor } from '../../ipc/dispatcher'

export function importHandlers({ localImport, events }: DeskParts): HandlersFor<'import.preview' | 'import.commit'> {
  return {
    'import.preview': (input) => localImport.preview(input),
    'import.commit': (input) => {
      const result = localImport.commit(input)
      events.sessions(null)
      return result
    }
  }
}
