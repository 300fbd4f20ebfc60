/**
 * The Electron entry. Deliberately thin: it picks the data dir, installs the security guards
 * (`security/`), opens the desk (all logic lives in `core`, which never imports `electron`), wires
 * the IPC carrier and opens one locked-down window on `rollcall://app/index.html`.
 *
 * Testable without Electron: everything goes through `main(electron)`, which a test calls (by
 * importing this module) with a stand-in `electron`. Before `app` is ready it only registers the
 * privileged scheme, turns on the sandbox, hooks every new WebContents and takes the
 * single-instance lock; the rest happens under `app.whenReady()`.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, dialog, ipcMain, powerMonitor, protocol, session, shell } from 'electron'
import type { BrowserWindowConstructorOptions, WebFrameMain } from 'electron'
import { EVENTS_CHANNEL } from '../shared/contract/constants'
import { openDesk, type Desk } from './core'
import { withElectronPrinting, type PrintWindowCtor } from './print/electron'
import { createElectronSettingsStore, createSafeStorageBox } from './electron-settings'
import { createDispatcher, registerIpc, type IpcMainLike } from './ipc'
import { createFileLogger, logFilePath, type Log } from './log'
import { resolveNativeBinding } from './native'
import {
  APP_URL,
  appSenderCheck,
  installGuards,
  installSessionGuards,
  isAppPageUrl,
  mainWindowOptions,
  type EarlyGuardTargets,
  type SessionGuardTargets
} from './security'

export { installGuards, installSessionGuards } from './security'

/** The channel electron-store answers on for renderers; ours never uses it, so it is removed. */
export const ELECTRON_STORE_CHANNEL = 'electron-store-get-data'

interface WindowLike {
  loadURL(url: string): Promise<void>
  once(event: 'ready-to-show', listener: () => void): unknown
  on(event: 'closed', listener: () => void): unknown
  show(): void
  focus(): void
  restore(): void
  isMinimized(): boolean
  setKiosk?(flag: boolean): void
  setMenuBarVisibility?(visible: boolean): void
  /** Where main pushes what changed (the preload hands it to the page's subscribers). */
  webContents?: { send(channel: string, ...args: unknown[]): void; isDestroyed?(): boolean }
}

/** The parts of `electron` the entry uses (a stand-in provides them in tests). */
export interface ElectronMain {
  protocol: EarlyGuardTargets['protocol'] & SessionGuardTargets['protocol']
  session: SessionGuardTargets['session']
  shell: EarlyGuardTargets['shell']
  app: EarlyGuardTargets['app'] & {
    isPackaged: boolean
    setPath(name: string, path: string): void
    getPath(name: 'userData'): string
    requestSingleInstanceLock(): boolean
    quit(): void
    exit(code?: number): void
    whenReady(): Promise<unknown>
    on(event: string, listener: (...args: never[]) => void): unknown
  }
  BrowserWindow: { new (options: BrowserWindowConstructorOptions): WindowLike; getAllWindows(): unknown[] }
  powerMonitor?: { on(event: 'resume', listener: () => void): unknown }
  ipcMain: IpcMainLike & { removeAllListeners(channel: string): unknown }
  dialog: { showErrorBox(title: string, content: string): void }
}

/** out/main — the preload and renderer are built next to it. */
const mainDir = dirname(fileURLToPath(import.meta.url))
const projectRoot = resolve(mainDir, '..', '..')

export interface MainHandle {
  /** Resolves once the desk is open and the window created (or start-up failed). */
  ready: Promise<void>
  appUrl: string
  dataDir: string
  desk(): Desk | undefined
}

export function main(e: ElectronMain, env: NodeJS.ProcessEnv = process.env): MainHandle {
  const preloadPath = join(mainDir, '..', 'preload', 'index.cjs')
  const rendererDir = join(mainDir, '..', 'renderer')
  const devServerUrl = (!e.app.isPackaged && env.ELECTRON_RENDERER_URL) || undefined
  const appUrl = devServerUrl ?? APP_URL

  // The data dir: ROLLCALL_DATA_DIR (tests, several desks on one machine) or the OS default. With the
  // env var, Electron's own profile goes there too, so the single-instance lock is per data dir.
  const envDataDir = env.ROLLCALL_DATA_DIR
  if (envDataDir) {
    e.app.setPath('userData', resolve(envDataDir))
    e.app.setPath('sessionData', join(resolve(envDataDir), 'chromium'))
  }
  const dataDir = e.app.getPath('userData')
  mkdirSync(dataDir, { recursive: true })
  const log: Log = createFileLogger(dataDir, (line) => process.stderr.write(line))

  process.on('uncaughtException', (err) => log('uncaught exception', err))
  process.on('unhandledRejection', (err) => log('unhandled rejection', err))

  const isAppUrl = (url: string) => isAppPageUrl(url, appUrl)
  const guardConfig = { isAppUrl, rendererDir, log }
  installGuards(e, guardConfig)

  let desk: Desk | undefined
  let mainWindow: WindowLike | null = null

  function closeDesk(): void {
    if (!desk) return
    try {
      desk.close()
    } catch (err) {
      log('closing the desk database failed', err)
    }
    desk = undefined
  }

  function applyKiosk(enabled: boolean): void {
    mainWindow?.setKiosk?.(enabled)
    mainWindow?.setMenuBarVisibility?.(!enabled)
  }

  function createWindow(): void {
    const icon = join(projectRoot, 'resources', 'icon.png')
    const win = new e.BrowserWindow(mainWindowOptions({ preload: preloadPath, icon: existsSync(icon) ? icon : undefined }))
    mainWindow = win
    win.once('ready-to-show', () => {
      win.show()
      // A lobby desk restarted in kiosk mode comes back in kiosk mode.
      if (desk?.kiosk.status().enabled) applyKiosk(true)
    })
    // What changed goes to the window as it happens; the window never polls for it.
    const unsubscribe = desk?.events.subscribe((event) => {
      if (win.webContents && !win.webContents.isDestroyed?.()) win.webContents.send(EVENTS_CHANNEL, event)
    })
    win.on('closed', () => {
      unsubscribe?.()
      mainWindow = null
    })
    win.loadURL(appUrl).catch((err: unknown) => log('loading the window failed', err))
  }

  function start(): void {
    installSessionGuards(e, guardConfig)
    const nativeBinding = resolveNativeBinding({
      env,
      projectRoot,
      electronVersion: process.versions.electron ?? '',
      packaged: e.app.isPackaged
    })
    try {
      const secretBox = createSafeStorageBox()
      if (secretBox.kind !== 'os') {
        log(`API keys are not protected by an OS keychain here (safeStorage: ${secretBox.kind}); the settings screen warns about it`)
      }
      const settingsStore = createElectronSettingsStore(dataDir)
      // electron-store answers any renderer on this channel without a sender check; ours never asks.
      e.ipcMain.removeAllListeners(ELECTRON_STORE_CHANNEL)
      desk = openDesk({
        dataDir,
        nativeBinding,
        settingsStore,
        secretBox,
        log,
        // Kiosk mode is the OS-level kiosk: full screen, no menus, no way out but the admin PIN.
        onKioskChange: (status) => applyKiosk(status.enabled)
      })
    } catch (err) {
      log('opening the desk failed', err)
      const hint = /NODE_MODULE_VERSION|invalid ELF|did not self-register/i.test(String(err))
        ? '\n\nThe SQLite module is built for Node, not Electron. Start Rollcall with `npm start`, which builds the Electron version.'
        : ''
      e.dialog.showErrorBox('Rollcall could not open its data', `${err instanceof Error ? err.message : String(err)}${hint}\n\nLog: ${logFilePath(dataDir)}`)
      e.app.exit(1)
      return
    }

    // Printing goes to paper through Electron here (the web desk leaves it to the browser).
    const printing = withElectronPrinting(desk.handlers, desk.print, e.BrowserWindow as unknown as PrintWindowCtor, log)
    const dispatch = createDispatcher({ ...desk.handlers, ...printing }, log)
    const trusted = appSenderCheck(appUrl)
    registerIpc(e.ipcMain, dispatch, (frame: WebFrameMain | null) => trusted(frame), log)
    createWindow()
    // Waking from sleep: marks made before it may be waiting; send them now, not at the next timer.
    e.powerMonitor?.on('resume', () => void desk?.sync.trigger('resume'))
  }

  let ready: Promise<void> = Promise.resolve()
  if (!e.app.requestSingleInstanceLock()) {
    // Another Rollcall already has this data dir open; it will bring its window forward.
    e.app.quit()
  } else {
    e.app.on('second-instance', () => {
      if (!mainWindow) return
      if (mainWindow.isMinimized()) mainWindow.restore()
      mainWindow.focus()
    })
    e.app.on('render-process-gone', (_event: unknown, _contents: unknown, details: { reason: string; exitCode: number }) =>
      log(`renderer gone: ${details.reason} (exit ${details.exitCode})`)
    )
    e.app.on('child-process-gone', (_event: unknown, details: { type: string; reason: string; exitCode: number }) =>
      log(`${details.type} process gone: ${details.reason} (exit ${details.exitCode})`)
    )
    e.app.on('window-all-closed', () => e.app.quit())
    e.app.on('will-quit', closeDesk)
    e.app.on('activate', () => {
      if (desk && e.BrowserWindow.getAllWindows().length === 0) createWindow()
    })
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => e.app.quit())
    ready = e.app.whenReady().then(start, (err: unknown) => {
      log('Electron failed to start', err)
      e.app.exit(1)
    })
  }
  return { ready, appUrl, dataDir, desk: () => desk }
}

/** The app itself: the real `electron` when Electron runs this file, the stand-in when a test imports it. */
const realElectron: ElectronMain = { app, BrowserWindow, dialog, ipcMain, powerMonitor, protocol, session, shell }
export const running = main(realElectron)
