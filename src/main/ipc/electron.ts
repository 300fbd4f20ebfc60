/**
 * The Electron carrier of the contract: one `ipcMain.handle` per call, each guarded by a sender
 * check, each answering the dispatcher's envelope. The dispatcher itself stays free of `electron`
 * so the web transport and the tests can use it from plain Node.
 */
import type { IpcMainInvokeEvent, WebFrameMain } from 'electron'
import { CALL_NAMES, IPC_PREFIX, type Envelope } from '../../shared/contract'
import type { Dispatch } from './dispatcher'

/** The part of `ipcMain` this module uses (a stand-in satisfies it in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
}

/** Decides whether a call comes from the app's own top-level page; `null` when the frame is gone. */
export type TrustedSender = (frame: WebFrameMain | null) => boolean

const FORBIDDEN: Envelope<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'This call did not come from the Rollcall window and was refused.' }
}

const INTERNAL: Envelope<never> = {
  ok: false,
  error: { code: 'internal', message: 'Rollcall hit an internal error; nothing was changed. Details are in the log.' }
}

/**
 * Registers a handler for every call in the contract. Returns a function that removes them again.
 * A handler never rejects: the renderer always receives an envelope.
 */
export function registerIpc(
  ipcMain: IpcMainLike,
  dispatch: Dispatch,
  isTrustedSender: TrustedSender,
  log: (msg: string, err: unknown) => void = console.error
): () => void {
  for (const name of CALL_NAMES) {
    ipcMain.handle(IPC_PREFIX + name, async (event, payload) => {
      let trusted = false
      try {
        trusted = isTrustedSender(event.senderFrame ?? null)
      } catch (err) {
        log(`sender check for ${name} failed`, err)
      }
      if (!trusted) return FORBIDDEN
      try {
        return await dispatch(name, payload)
      } catch (err) {
        log(`dispatch of ${name} failed`, err)
        return INTERNAL
      }
    })
  }
  return () => {
    for (const name of CALL_NAMES) ipcMain.removeHandler(IPC_PREFIX + name)
  }
}

/**
 * The usual sender check: a live top-level frame whose URL is the app's own page. `appUrl` is the
 * app's custom-protocol page (`rollcall://app/index.html`: same scheme and host required), the
 * dev-server URL (same origin required) or a `file:` URL (same file required; query and hash are
 * ignored).
 *
 * Origins are not compared for custom schemes: Node's URL gives every non-special scheme the
 * opaque origin "null", so `evil://x` would "match" `rollcall://app`. Scheme and host are compared
 * instead, and a URL with credentials never matches.
 */
export function isAppFrame(frame: Pick<WebFrameMain, 'url' | 'parent'> | null, appUrl: string): boolean {
  if (!frame || frame.parent) return false
  let sender: URL
  let app: URL
  try {
    sender = new URL(frame.url)
    app = new URL(appUrl)
  } catch {
    return false
  }
  if (sender.protocol !== app.protocol || sender.username || sender.password) return false
  if (app.protocol === 'file:') return sender.pathname === app.pathname && sender.host === app.host
  if (app.origin === 'null') return app.host !== '' && sender.host === app.host
  return sender.origin === app.origin
}
