/**
 * IPC sender check (checklist item 17): a call counts only when it comes from the app's own
 * top-level page — `rollcall://app/…` when built, the dev server's origin in development. The
 * carrier (`ipc/electron.ts`) asks this for every message before anything is dispatched.
 */
import type { WebFrameMain } from 'electron'
import { isAppFrame, type TrustedSender } from '../ipc/electron'

export function appSenderCheck(appUrl: string): TrustedSender {
  return (frame: Pick<WebFrameMain, 'url' | 'parent'> | null) => isAppFrame(frame, appUrl)
}

/** The same rule for a bare URL (navigation guard, downloads): the app's own page or not. */
export function isAppPageUrl(url: string, appUrl: string): boolean {
  return isAppFrame({ url, parent: null }, appUrl)
}
