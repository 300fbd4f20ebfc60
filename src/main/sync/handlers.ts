/** What main does for the sync calls: status, "Sync now", the problems set aside and the desk's decisions. */
import { DeskError } from '../core/errors'
import type { DeskParts } from '../core/parts'
import type { HandlersFor } from '../ipc/dispatcher'

export function syncHandlers({ engine, outbox, freshness, events }: DeskParts): HandlersFor<'sync.status' | 'sync.now' | 'sync.problems' | 'sync.resolve'> {
  return {
    'sync.status': () => engine.status(),
    'sync.now': () => {
      freshness.refresh()
      void engine.trigger('manual')
      return engine.status()
    },
    'sync.problems': () => ({ problems: engine.problems() }),
    'sync.resolve': ({ opId, choice }) => {
      const op = outbox.get(opId)
      if (!op || (op.state !== 'rejected' && op.state !== 'conflict')) {
        throw DeskError.because('not_found', { reason: 'problem_resolved', params: {} })
      }
      // Sending an older mark again would overwrite the newer one the desk made since.
      if (choice !== 'discard' && outbox.supersededBy(opId)) {
        throw DeskError.because('refused', { reason: 'problem_superseded', params: {} })
      }
      if (choice === 'discard') {
        outbox.discard(opId)
        // The booking system's version is the truth again: fetch it.
        if (op.sessionId !== null) void engine.requestPull({ kind: 'session', sessionId: op.sessionId })
      } else outbox.requeue(opId, choice === 'mine')
      events.row(op.sessionId, op.participationId)
      void engine.trigger('manual')
      return engine.status()
    }
  }
}
