/**
 * The Electron entry. Deliberately thin: it picks the data dir, opens the desk (all logic lives in
 * `core`, which never imports `electron`), wires the IPC carrier and opens one locked-down window.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { app, BrowserWindow, dialog, ipcMain, session, type WebContents } from 'electron'
import { openDesk, type Desk } from './core'
import { createDispatcher, isAppFrame, registerIpc } from './ipc'
import { createFileLogger, logFilePath } from './log'
import { resolveNativeBinding } from './native'

/** out/main — the preload and renderer are built next to it. */
const mainDir = dirname(fileURLToPath(import.meta.url))
const projectRoot = resolve(mainDir, '..', '..')
const preloadPath = join(mainDir, '..', 'preload', 'index.cjs')
const rendererIndex = join(mainDir, '..', 'renderer', 'index.html')
const devServerUrl = (!app.isPackaged && process.env.ELECTRON_RENDERER_URL) || undefined
const appUrl = devServerUrl ?? pathToFileURL(rendererIndex).href

// The data dir: ROLLCALL_DATA_DIR (tests, several desks on one machine) or the OS default. With the
// env var, Electron's own profile goes there too, so the single-instance lock is per data dir.
const envDataDir = process.env.ROLLCALL_DATA_DIR
if (envDataDir) {
  app.setPath('userData', resolve(envDataDir))
  app.setPath('sessionData', join(resolve(envDataDir), 'chromium'))
}
const dataDir = app.getPath('userData')
mkdirSync(dataDir, { recursive: true })
const log = createFileLogger(dataDir, (line) => process.stderr.write(line))

process.on('uncaughtException', (err) => log('uncaught exception', err))
process.on('unhandledRejection', (err) => log('unhandled rejection', err))

let desk: Desk | undefined
let mainWindow: BrowserWindow | null = null

function closeDesk(): void {
  if (!desk) return
  try {
    desk.close()
  } catch (err) {
    log('closing the desk database failed', err)
  }
  desk = undefined
}

/** The app's own page, in dev (same origin as the dev server) or built (the same file). */
function isAppUrl(url: string): boolean {
  return isAppFrame({ url, parent: null }, appUrl)
}

function harden(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    log(`refused to open a window for ${url}`)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) {
      event.preventDefault()
      log(`refused navigation to ${url}`)
    }
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

function createWindow(): void {
  const icon = join(projectRoot, 'resources', 'icon.png')
  mainWindow = new BrowserWindow({
    title: 'Rollcall',
    width: 1280,
    height: 860,
    minWidth: 800,
    minHeight: 560,
    show: false,
    backgroundColor: '#ffffff',
    ...(existsSync(icon) ? { icon } : {}),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false
    }
  })
  mainWindow.once('ready-to-show', () => mainWindow?.show())
  mainWindow.on('closed', () => {
    mainWindow = null
  })
  const loading = devServerUrl ? mainWindow.loadURL(devServerUrl) : mainWindow.loadFile(rendererIndex)
  loading.catch((err: unknown) => log('loading the window failed', err))
}

function start(): void {
  const nativeBinding = resolveNativeBinding({
    env: process.env,
    projectRoot,
    electronVersion: process.versions.electron ?? '',
    packaged: app.isPackaged
  })
  try {
    desk = openDesk({ dataDir, nativeBinding })
  } catch (err) {
    log('opening the desk failed', err)
    const hint = /NODE_MODULE_VERSION|invalid ELF|did not self-register/i.test(String(err))
      ? '\n\nThe SQLite module is built for Node, not Electron. Start Rollcall with `npm start`, which builds the Electron version.'
      : ''
    dialog.showErrorBox('Rollcall could not open its data', `${err instanceof Error ? err.message : String(err)}${hint}\n\nLog: ${logFilePath(dataDir)}`)
    app.exit(1)
    return
  }

  const dispatch = createDispatcher(desk.handlers, log)
  registerIpc(ipcMain, dispatch, (frame) => frame !== null && isAppFrame(frame, appUrl), log)

  // The desk needs no camera, notifications, geolocation, … : refuse every permission.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`refused permission request: ${permission}`)
    callback(false)
  })
  session.defaultSession.setPermissionCheckHandler(() => false)

  createWindow()
}

if (!app.requestSingleInstanceLock()) {
  // Another Rollcall already has this data dir open; it will bring its window forward.
  app.quit()
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  app.on('web-contents-created', (_event, contents) => harden(contents))
  app.on('render-process-gone', (_event, _contents, details) => log(`renderer gone: ${details.reason} (exit ${details.exitCode})`))
  app.on('child-process-gone', (_event, details) => log(`${details.type} process gone: ${details.reason} (exit ${details.exitCode})`))
  app.on('window-all-closed', () => app.quit())
  app.on('will-quit', closeDesk)
  app.on('activate', () => {
    if (desk && BrowserWindow.getAllWindows().length === 0) createWindow()
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit())
  app.whenReady().then(start, (err: unknown) => {
    log('Electron failed to start', err)
    app.exit(1)
  })
}
