/**
 * The preload: puts `window.rollcall` (a RollcallBridge) into the page, one function per call in
 * the contract, each an `ipcRenderer.invoke` on that call's channel. Nothing else crosses over —
 * in particular never `ipcRenderer` itself, which would let the page send on any channel.
 * Runs sandboxed, so it is bundled to one CommonJS file (see electron.vite.config.ts).
 */
import { contextBridge, ipcRenderer } from 'electron'
import { CALL_NAMES, IPC_PREFIX, type RollcallBridge } from '../shared/contract'

function buildBridge(): RollcallBridge {
  const bridge: Record<string, (input: unknown) => Promise<unknown>> = {}
  for (const name of CALL_NAMES) {
    const channel = IPC_PREFIX + name
    bridge[name] = (input: unknown) => ipcRenderer.invoke(channel, input)
  }
  return Object.freeze(bridge) as RollcallBridge
}

contextBridge.exposeInMainWorld('rollcall', buildBridge())
