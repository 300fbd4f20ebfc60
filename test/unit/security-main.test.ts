/**
 * Loads the real Electron main entry (`src/main/index.ts`) against a stand-in `electron` and checks
 * that every guard of the security checklist is installed, in the right phase, and actually
 * guards: scheme privileges, the app protocol, the CSP header, permissions, navigation and
 * window.open, downloads, IPC sender checks on every call, the window's web preferences, secrets
 * kept in main (safeStorage, with its weak backend reported).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CALL_NAMES, IPC_PREFIX } from '../../src/shared/contract'
import { createElectronStandIn, routeDependenciesToStandIn } from './sim/electron-stand-in'

const standIn = vi.hoisted(() => ({ current: null as unknown as import('./sim/electron-stand-in').ElectronStandIn }))
vi.mock('electron', async () => {
  const { createElectronStandIn: create } = await import('./sim/electron-stand-in')
  standIn.current ??= create({ storageBackend: 'basic_text' })
  return standIn.current.module
})

const dataDir = mkdtempSync(join(tmpdir(), 'rollcall-main-'))
let entry: typeof import('../../src/main/index')
const s = () => standIn.current

type Listener = (...args: unknown[]) => unknown
const listenersOf = (map: Map<string, unknown[]>, event: string) => (map.get(event) ?? []) as Listener[]

beforeAll(async () => {
  process.env.ROLLCALL_DATA_DIR = dataDir
  delete process.env.ELECTRON_RENDERER_URL
  delete process.env.ROLLCALL_SQLITE_BINDING
  standIn.current ??= createElectronStandIn({ storageBackend: 'basic_text' })
  routeDependenciesToStandIn(s())
  entry = await import('../../src/main/index')
})

afterAll(() => {
  for (const l of listenersOf(s().electron.app.listeners, 'will-quit')) l()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('before the app is ready', () => {
  it('registers rollcall:// as a privileged standard, secure scheme (never bypassCSP)', () => {
    expect(s().electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1)
    const [schemes] = s().electron.protocol.registerSchemesAsPrivileged.mock.calls[0] as [{ scheme: string; privileges: Record<string, boolean> }[]]
    expect(schemes).toEqual([{ scheme: 'rollcall', privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true }) }])
    expect(schemes[0]!.privileges.bypassCSP).toBeUndefined()
  })

  it('turns on the sandbox for every renderer and hooks every new WebContents', () => {
    expect(s().electron.app.enableSandbox).toHaveBeenCalled()
    expect(listenersOf(s().electron.app.listeners, 'web-contents-created')).toHaveLength(1)
  })

  it('uses the data dir from ROLLCALL_DATA_DIR for userData and the Chromium profile', () => {
    expect(s().electron.app.setPath).toHaveBeenCalledWith('userData', dataDir)
    expect(s().electron.app.setPath).toHaveBeenCalledWith('sessionData', join(dataDir, 'chromium'))
  })

  it('does nothing else before ready: no protocol handler, no IPC, no window, no database', () => {
    expect(s().electron.protocol.handle).not.toHaveBeenCalled()
    expect(s().electron.ipcMain.handle).not.toHaveBeenCalled()
    expect(s().windows).toHaveLength(0)
    expect(readdirSync(dataDir).filter((f) => f.endsWith('.sqlite'))).toEqual([])
    expect(entry.running.appUrl).toBe('rollcall://app/index.html')
  })
})

describe('once the app is ready', () => {
  beforeAll(async () => {
    s().ready()
    await entry.running.ready
  })

  it('opened the desk and no error box', () => {
    expect(s().electron.dialog.showErrorBox).not.toHaveBeenCalled()
    expect(entry.running.desk()).toBeDefined()
  })

  it('serves the renderer on rollcall://app with the CSP header, refusing traversal and other hosts', async () => {
    expect(s().electron.protocol.handle).toHaveBeenCalledWith('rollcall', expect.any(Function))
    const handler = s().protocolHandlers.get('rollcall')!
    const page = await handler(new Request('rollcall://app/index.html'))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(await page.text()).toContain('<div id="app">')
    for (const url of ['rollcall://app/../../package.json', 'rollcall://app/%2e%2e/%2e%2e/package.json', 'rollcall://app/..%2f..%2fpackage.json', 'rollcall://other/index.html']) {
      expect((await handler(new Request(url))).status, url).toBe(404)
    }
  })

  it('adds the CSP to every response through session.webRequest.onHeadersReceived', () => {
    const hook = s().electron.session.defaultSession.webRequest.onHeadersReceived
    expect(hook).toHaveBeenCalledTimes(1)
    const listener = hook.mock.calls[0]![0] as (d: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void
    let headers: Record<string, string[]> = {}
    listener({ responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => (headers = r.responseHeaders))
    expect(headers['Content-Security-Policy']?.[0]).toMatch(/default-src 'self'.*object-src 'none'/)
  })

  it('refuses every permission request and check', () => {
    const ses = s().electron.session.defaultSession
    const request = ses.setPermissionRequestHandler.mock.calls[0]![0] as (c: unknown, p: string, cb: (ok: boolean) => void) => void
    const check = ses.setPermissionCheckHandler.mock.calls[0]![0] as (c: unknown, p: string) => boolean
    const device = ses.setDevicePermissionHandler.mock.calls[0]![0] as (d: unknown) => boolean
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const granted = vi.fn()
      request(null, permission, granted)
      expect(granted).toHaveBeenCalledWith(false)
      expect(check(null, permission)).toBe(false)
    }
    expect(device({ deviceType: 'usb' })).toBe(false)
  })

  it('only lets the app download its own blob exports', () => {
    const [listener] = listenersOf(s().electron.session.defaultSession.listeners, 'will-download')
    const run = (url: string) => {
      const event = { preventDefault: vi.fn() }
      const item = { getURL: () => url, getFilename: () => 'roster.csv', setSaveDialogOptions: vi.fn() }
      listener!(event, item)
      return event.preventDefault.mock.calls.length === 0
    }
    expect(run('blob:rollcall://app/0d6c1d6e-4f1b-4cc2-9d4e-3b1f0c8a1a11')).toBe(true)
    expect(run('https://evil.example/payload.exe')).toBe(false)
    expect(run('blob:https://evil.example/x')).toBe(false)
  })

  it('denies window.open and navigation away from the app on every WebContents; allow-listed https opens outside', () => {
    const [created] = listenersOf(s().electron.app.listeners, 'web-contents-created')
    const on = new Map<string, Listener>()
    let openHandler: (d: { url: string }) => { action: string } = () => ({ action: 'allow' })
    created!({}, { setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h), on: (event: string, l: Listener) => on.set(event, l) })
    expect(openHandler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    expect(openHandler({ url: 'https://support.wix.com/en/article/x' })).toEqual({ action: 'deny' })
    expect(s().electron.shell.openExternal).toHaveBeenCalledWith('https://support.wix.com/en/article/x')
    expect(s().electron.shell.openExternal).toHaveBeenCalledTimes(1)

    const navigate = (event: string, url: string) => {
      const e = { preventDefault: vi.fn(), url }
      on.get(event)!(e, url)
      return e.preventDefault.mock.calls.length === 0
    }
    expect(navigate('will-navigate', 'rollcall://app/index.html#/roster')).toBe(true)
    expect(navigate('will-navigate', 'https://evil.example/')).toBe(false)
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(false)
    expect(navigate('will-frame-navigate', 'https://evil.example/')).toBe(false)
    expect(navigate('will-redirect', 'https://evil.example/')).toBe(false)
    const webview = { preventDefault: vi.fn() }
    on.get('will-attach-webview')!(webview)
    expect(webview.preventDefault).toHaveBeenCalled()
    expect(s().electron.shell.openExternal).toHaveBeenCalledTimes(1)
  })

  it('registers one IPC handler per contract call, each refusing any sender but the app page', async () => {
    expect([...s().ipcHandlers.keys()].sort()).toEqual(CALL_NAMES.map((n) => IPC_PREFIX + n).sort())
    const strangers = [
      null,
      { url: 'https://evil.example/', parent: null },
      { url: 'evil://app/index.html', parent: null },
      { url: 'rollcall://evil/index.html', parent: null },
      { url: 'file:///opt/rollcall/out/renderer/index.html', parent: null },
      { url: 'rollcall://app/index.html', parent: { url: 'rollcall://app/index.html' } }
    ]
    for (const name of CALL_NAMES) {
      const handler = s().ipcHandlers.get(IPC_PREFIX + name)!
      for (const frame of strangers) {
        expect(await handler({ senderFrame: frame }, {}), `${name} from ${JSON.stringify(frame)}`).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      }
    }
    const info = await s().ipcHandlers.get(IPC_PREFIX + 'desk.info')!({ senderFrame: { url: 'rollcall://app/index.html', parent: null } }, {})
    expect(info).toMatchObject({ ok: true, value: { provider: 'local' } })
  })

  it('opens one window with the secure web preferences and loads rollcall://app', () => {
    expect(s().windows).toHaveLength(1)
    const prefs = s().windows[0]!.options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false
    })
    expect(prefs.enableBlinkFeatures).toBeUndefined()
    expect(String(prefs.preload)).toMatch(/preload[/\\]index\.cjs$/)
    expect(s().windows[0]!.loadURL).toHaveBeenCalledWith('rollcall://app/index.html')
  })

  it('kiosk mode makes the window an OS kiosk without menus, and leaving it (with the PIN) undoes that', async () => {
    const app = { senderFrame: { url: 'rollcall://app/index.html', parent: null } }
    const call = (name: string, input: unknown) => s().ipcHandlers.get(IPC_PREFIX + name)!(app, input)
    expect(await call('kiosk.setPin', { newPin: '4321' })).toMatchObject({ ok: true })
    expect(await call('kiosk.enter', { selfService: false })).toMatchObject({ ok: true, value: { enabled: true } })
    expect(s().windows[0]!.setKiosk).toHaveBeenLastCalledWith(true)
    expect(s().windows[0]!.setMenuBarVisibility).toHaveBeenLastCalledWith(false)
    expect(await call('kiosk.exit', { pin: '0000' })).toMatchObject({ ok: false, error: { code: 'refused' } })
    expect(s().windows[0]!.setKiosk).toHaveBeenLastCalledWith(true)
    expect(await call('kiosk.exit', { pin: '4321' })).toMatchObject({ ok: true, value: { enabled: false } })
    expect(s().windows[0]!.setKiosk).toHaveBeenLastCalledWith(false)
  })

  it('sends waiting marks when the computer wakes from sleep', () => {
    expect(s().electron.powerMonitor.on).toHaveBeenCalledWith('resume', expect.any(Function))
  })

  it('keeps secrets in main: safeStorage encrypts the key, the page sees only that one is set and that the backend is weak', async () => {
    // electron-store's own renderer channel (no sender check) is removed again.
    expect(s().electron.ipcMain.listeners.has(entry.ELECTRON_STORE_CHANNEL)).toBe(false)
    const app = { senderFrame: { url: 'rollcall://app/index.html', parent: null } }
    const key = 'wix-secret-key-0123456789'
    const saved = await s().ipcHandlers.get(IPC_PREFIX + 'settings.save')!(app, {
      provider: 'wix',
      wix: { siteId: 'site-1', apiKey: key, baseUrl: 'http://127.0.0.1:9', namespace: '@rollcall/checkin' }
    })
    expect(saved).toMatchObject({ ok: true, value: { provider: 'wix', secretStorage: 'basic_text', wix: { apiKeySet: true } } })
    expect(JSON.stringify(saved)).not.toContain(key)
    const view = await s().ipcHandlers.get(IPC_PREFIX + 'settings.get')!(app, {})
    expect(JSON.stringify(view)).not.toContain(key)
    const onDisk = readFileSync(join(dataDir, 'settings.json'), 'utf8')
    expect(onDisk).toContain('safe:')
    expect(onDisk).not.toContain(key)
    // The weak backend is also in the log, for whoever reads it.
    expect(readFileSync(join(dataDir, 'rollcall.log'), 'utf8')).toMatch(/safeStorage: basic_text/)
    await s().ipcHandlers.get(IPC_PREFIX + 'settings.save')!(app, { provider: 'local' })
  })

  it('closes the desk when the app quits', () => {
    const quit = listenersOf(s().electron.app.listeners, 'will-quit')
    expect(quit).toHaveLength(1)
    quit[0]!()
    expect(entry.running.desk()).toBeUndefined()
  })
})
