/**
 * A stand-in for the `electron` module, for tests that load the Electron main entry in plain Node.
 * It records what main installs (schemes, protocol handlers, session hooks, IPC handlers, windows)
 * and lets the test drive the app (`ready()`, `emit()`), so every guard can be inspected and poked.
 *
 * Used with `vi.mock('electron', …)`. Dependencies that import `electron` from node_modules
 * (electron-store) are not reached by vi.mock; `routeDependenciesToStandIn()` registers a Node
 * resolve hook that hands them this same object.
 */
import { register } from 'node:module'
import { vi } from 'vitest'

type Fn = (...args: never[]) => unknown

export interface StandInWindow {
  options: Record<string, unknown>
  loadURL: ReturnType<typeof vi.fn>
  setKiosk: ReturnType<typeof vi.fn>
  setMenuBarVisibility: ReturnType<typeof vi.fn>
  listeners: Map<string, Fn[]>
}

function emitter() {
  const listeners = new Map<string, Fn[]>()
  return {
    listeners,
    on(event: string, listener: Fn) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener])
      return this
    },
    once(event: string, listener: Fn) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener])
      return this
    },
    removeAllListeners(event?: string) {
      if (event === undefined) listeners.clear()
      else listeners.delete(event)
      return this
    },
    emit(event: string, ...args: unknown[]) {
      for (const l of listeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args)
    }
  }
}

export function createElectronStandIn(options: { storageBackend?: string; encryptionAvailable?: boolean } = {}) {
  let resolveReady!: () => void
  const whenReady = new Promise<void>((r) => (resolveReady = r))
  const paths = new Map<string, string>([['userData', '/nonexistent-user-data']])
  const appEvents = emitter()
  const app = {
    ...appEvents,
    isPackaged: false,
    setPath: vi.fn((name: string, path: string) => void paths.set(name, path)),
    getPath: (name: string) => paths.get(name) ?? `/nonexistent-${name}`,
    getVersion: () => '0.1.0-test',
    requestSingleInstanceLock: vi.fn(() => true),
    quit: vi.fn(),
    exit: vi.fn(),
    enableSandbox: vi.fn(),
    whenReady: () => whenReady
  }

  const windows: StandInWindow[] = []
  class BrowserWindow {
    readonly options: Record<string, unknown>
    readonly loadURL = vi.fn(async (_url: string) => {})
    readonly setKiosk = vi.fn((_flag: boolean) => {})
    readonly setMenuBarVisibility = vi.fn((_visible: boolean) => {})
    readonly listeners = new Map<string, Fn[]>()
    constructor(options: Record<string, unknown>) {
      this.options = options
      windows.push(this)
    }
    on(event: string, l: Fn) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), l])
      return this
    }
    once(event: string, l: Fn) {
      return this.on(event, l)
    }
    show() {}
    focus() {}
    restore() {}
    isMinimized() {
      return false
    }
    static getAllWindows() {
      return windows
    }
  }

  const ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  const ipcEvents = emitter()
  const ipcMain = {
    ...ipcEvents,
    handle: vi.fn((channel: string, listener: (event: unknown, ...args: unknown[]) => unknown) => {
      if (ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`)
      ipcHandlers.set(channel, listener)
    }),
    removeHandler: vi.fn((channel: string) => void ipcHandlers.delete(channel))
  }

  const protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>()
  const protocol = {
    registerSchemesAsPrivileged: vi.fn(),
    handle: vi.fn((scheme: string, handler: (request: Request) => Response | Promise<Response>) => void protocolHandlers.set(scheme, handler))
  }

  const sessionEvents = emitter()
  const defaultSession = {
    ...sessionEvents,
    webRequest: { onHeadersReceived: vi.fn() },
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn()
  }

  const safeStorage = {
    isEncryptionAvailable: () => options.encryptionAvailable ?? true,
    getSelectedStorageBackend: () => options.storageBackend ?? 'gnome_libsecret',
    encryptString: (plain: string) => Buffer.from(`sealed(${Buffer.from(plain).toString('hex')})`),
    decryptString: (cipher: Buffer) => {
      const m = /^sealed\(([0-9a-f]*)\)$/.exec(cipher.toString())
      if (!m) throw new Error('not sealed here')
      return Buffer.from(m[1]!, 'hex').toString()
    }
  }

  const electron = {
    app,
    BrowserWindow,
    ipcMain,
    protocol,
    session: { defaultSession },
    shell: { openExternal: vi.fn(async (_url: string) => {}), openPath: vi.fn(async () => '') },
    dialog: { showErrorBox: vi.fn() },
    powerMonitor: { on: vi.fn() },
    safeStorage,
    contextBridge: { exposeInMainWorld: vi.fn() },
    ipcRenderer: { invoke: vi.fn(), send: vi.fn(), on: vi.fn() }
  }

  return {
    electron,
    /** As the module: named exports plus the default export (CommonJS interop). */
    module: { default: electron, ...electron },
    windows,
    ipcHandlers,
    protocolHandlers,
    ready: () => resolveReady(),
    paths
  }
}

export type ElectronStandIn = ReturnType<typeof createElectronStandIn>

/**
 * Makes `import electron from 'electron'` inside node_modules/electron-store resolve to
 * `globalThis.__rollcallElectronStandIn` (vi.mock only reaches modules Vite transforms).
 */
export function routeDependenciesToStandIn(standIn: ElectronStandIn, packages: string[] = ['electron-store']): void {
  ;(globalThis as Record<string, unknown>).__rollcallElectronStandIn = standIn.electron
  const target = `data:text/javascript,${encodeURIComponent('export default globalThis.__rollcallElectronStandIn;')}`
  const hooks = `const packages = ${JSON.stringify(packages.map((p) => `/node_modules/${p}/`))};
export async function resolve(specifier, context, next) {
  if (specifier === 'electron' && packages.some((p) => (context.parentURL ?? '').includes(p))) return { url: ${JSON.stringify(target)}, shortCircuit: true }
  return next(specifier, context)
}`
  register(`data:text/javascript,${encodeURIComponent(hooks)}`)
}
