/**
 * The preload: puts `window.rollcall` (a RollcallBridge) into the page, one function per call in
 * the contract, each an `ipcRenderer.invoke` on that call's channel, and `window.rollcallEvents`,
 * one `subscribe` to what main pushes on the events channel. Nothing else crosses over — in
 * particular never `ipcRenderer` itself, which would let the page send or listen on any channel.
 * Runs sandboxed, so it is bundled to one CommonJS file (see electron.vite.config.ts).
 */
import { contextBridge, ipcRenderer } from 'electron'
import { CALL_NAMES, EVENTS_CHANNEL, IPC_PREFIX, type DeskEvent, type RollcallBridge, type RollcallEvents } from '../shared/contract'

function buildBridge(): RollcallBridge {
  const bridge: Record<string, (input: unknown) => Promise<unknown>> = {}
  for (const name of CALL_NAMES) {
    const channel = IPC_PREFIX + name
    bridge[name] = (input: unknown) => ipcRenderer.invoke(channel, input)
  }
  return Object.freeze(bridge) as RollcallBridge
}

function buildEvents(): RollcallEvents {
  return Object.freeze({
    subscribe(listener: (event: DeskEvent) => void): () => void {
      // Only the event reaches the page, never the IpcRendererEvent (it carries `sender`).
      const forward = (_event: unknown, payload: DeskEvent) => listener(payload)
      ipcRenderer.on(EVENTS_CHANNEL, forward)
      return () => void ipcRenderer.removeListener(EVENTS_CHANNEL, forward)
    }
  })
}

contextBridge.exposeInMainWorld('rollcall', buildBridge())
contextBridge.exposeInMainWorld('rollcallEvents', buildEvents())
