/** The window options builder: every checklist switch set, and a weakened set refused. */
import { describe, expect, it } from 'vitest'
import { assertSecureWebPreferences, mainWindowOptions, REQUIRED_WEB_PREFERENCES, secureWebPreferences } from '../../src/main/security/window'

describe('secure window options', () => {
  it('isolates the page, sandboxes it, keeps Node and webviews out and never weakens web security', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs')
    expect(prefs).toMatchObject({ ...REQUIRED_WEB_PREFERENCES, preload: '/app/out/preload/index.cjs' })
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, allowRunningInsecureContent: false })
    expect(prefs.enableBlinkFeatures).toBeUndefined()
    expect(() => assertSecureWebPreferences(prefs)).not.toThrow()
  })

  it('builds the main window hidden until painted, with those preferences and an optional icon', () => {
    const options = mainWindowOptions({ preload: '/p.cjs', icon: '/icon.png' })
    expect(options).toMatchObject({ show: false, icon: '/icon.png', webPreferences: { preload: '/p.cjs', sandbox: true } })
    expect(mainWindowOptions({ preload: '/p.cjs' })).not.toHaveProperty('icon')
  })

  it('refuses any preference set that weakens a checklist item', () => {
    const base = secureWebPreferences('/p.cjs')
    const weakened: Record<string, unknown>[] = [
      { contextIsolation: false },
      { sandbox: false },
      { nodeIntegration: true },
      { nodeIntegrationInWorker: true },
      { nodeIntegrationInSubFrames: true },
      { webSecurity: false },
      { allowRunningInsecureContent: true },
      { experimentalFeatures: true },
      { webviewTag: true },
      { enableBlinkFeatures: 'CSSVariables' }
    ]
    for (const change of weakened) expect(() => assertSecureWebPreferences({ ...base, ...change }), JSON.stringify(change)).toThrow(/insecure webPreferences/)
    // Leaving a switch out means Electron's default, which the check does not assume.
    const { sandbox: _sandbox, ...withoutSandbox } = base
    expect(() => assertSecureWebPreferences(withoutSandbox)).toThrow(/sandbox/)
    expect(() => assertSecureWebPreferences(undefined)).toThrow()
  })
})
