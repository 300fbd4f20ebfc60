/**
 * The one place the window's web preferences are decided (Electron security checklist items 2–4,
 * 6, 8–12): Node stays out of the page, the page runs in Chromium's sandbox with its own JS world,
 * and none of the switches that weaken a renderer is ever turned on.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron'

/** The web preferences every Rollcall window gets; `preload` is the only variable part. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false
  }
}

/** The checklist, as data: what a test (and `assertSecureWebPreferences`) holds every window to. */
export const REQUIRED_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false
} as const satisfies WebPreferences

/** Throws if `prefs` weakens any checklist item (or turns on Blink features by name). */
export function assertSecureWebPreferences(prefs: WebPreferences | undefined): void {
  if (!prefs) throw new Error('a window without explicit webPreferences gets Electron defaults; refusing')
  for (const [key, want] of Object.entries(REQUIRED_WEB_PREFERENCES)) {
    const have = (prefs as Record<string, unknown>)[key]
    if (have !== want) throw new Error(`insecure webPreferences: ${key} is ${String(have)}, must be ${String(want)}`)
  }
  if (prefs.enableBlinkFeatures) throw new Error('insecure webPreferences: enableBlinkFeatures must not be set')
}

export interface MainWindowInput {
  preload: string
  icon?: string
}

/** The main window's options: fixed sizes, hidden until painted, the secure preferences above. */
export function mainWindowOptions(input: MainWindowInput): BrowserWindowConstructorOptions {
  const options: BrowserWindowConstructorOptions = {
    title: 'Rollcall',
    width: 1280,
    height: 860,
    minWidth: 800,
    minHeight: 560,
    show: false,
    backgroundColor: '#ffffff',
    ...(input.icon ? { icon: input.icon } : {}),
    webPreferences: secureWebPreferences(input.preload)
  }
  assertSecureWebPreferences(options.webPreferences)
  return options
}
