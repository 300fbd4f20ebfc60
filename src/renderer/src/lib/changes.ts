/**
 * What main pushes as it happens, shared by every part of the window that cares: one subscription
 * (IPC or the web desk's event stream), many listeners. Nothing here polls.
 */
import type { DeskEvent } from '../../../shared/contract'
import { subscribeEvents } from './api'

type Listener = (event: DeskEvent) => void
const listeners = new Set<Listener>()
let subscribed = false

/** Listen to main's events; answers a function that stops listening. */
export function onDeskEvent(listener: Listener): () => void {
  listeners.add(listener)
  if (!subscribed) {
    subscribed = true
    subscribeEvents((event) => {
      for (const l of [...listeners]) l(event)
    })
  }
  return () => void listeners.delete(listener)
}

/** Whether an event says `sessionId` (or anything) changed. */
export function touches(event: DeskEvent, sessionId: number): boolean {
  if (event.kind === 'sessions') return event.sessionIds === null || event.sessionIds.includes(sessionId)
  if (event.kind === 'rows') return event.rows.some((r) => r.sessionId === sessionId)
  return false
}
