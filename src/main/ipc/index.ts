/** The IPC folder's one public entry: the carrier-neutral dispatcher and the Electron carrier. */
export { createDispatcher, DeskError, type Dispatch, type Handlers, type HandlersFor } from './dispatcher'
export { registerIpc, isAppFrame, type IpcMainLike, type TrustedSender } from './electron'
