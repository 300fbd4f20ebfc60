/** Permissions and downloads: every permission refused; only the app's own blob exports download. */
import { describe, expect, it, vi } from 'vitest'
import { guardDownloads, isAppBlobUrl } from '../../src/main/security/downloads'
import { denyAllPermissions } from '../../src/main/security/permissions'

describe('permissions', () => {
  it('refuses every request and every check, and every device', () => {
    const ses = { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn(), setDevicePermissionHandler: vi.fn() }
    denyAllPermissions(ses)
    const request = ses.setPermissionRequestHandler.mock.calls[0]![0] as (c: unknown, p: string, cb: (ok: boolean) => void) => void
    const check = ses.setPermissionCheckHandler.mock.calls[0]![0] as (c: unknown, p: string) => boolean
    for (const p of ['media', 'geolocation', 'notifications', 'midi', 'midiSysex', 'pointerLock', 'fullscreen', 'openExternal', 'clipboard-read', 'clipboard-sanitized-write', 'hid', 'serial', 'usb', 'idle-detection', 'window-management', 'unknown']) {
      const cb = vi.fn()
      request({}, p, cb)
      expect(cb).toHaveBeenCalledWith(false)
      expect(check({}, p)).toBe(false)
    }
    expect((ses.setDevicePermissionHandler.mock.calls[0]![0] as (d: unknown) => boolean)({})).toBe(false)
  })

  it('works on a session without device permissions (older Electron)', () => {
    expect(() => denyAllPermissions({ setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() })).not.toThrow()
  })
})

describe('downloads', () => {
  const isAppUrl = (url: string) => url.startsWith('rollcall://app/')

  it('recognises only blobs made by the app page', () => {
    expect(isAppBlobUrl('blob:rollcall://app/1234', isAppUrl)).toBe(true)
    expect(isAppBlobUrl('blob:https://evil.example/1234', isAppUrl)).toBe(false)
    expect(isAppBlobUrl('rollcall://app/index.html', isAppUrl)).toBe(false)
  })

  it('cancels other downloads and saves exports as .csv with a safe default name', () => {
    let listener: (e: { preventDefault(): void }, item: never) => void = () => {}
    guardDownloads({ on: (_event, l) => (listener = l as never) }, isAppUrl)
    const item = (url: string, name: string) => ({ getURL: () => url, getFilename: () => name, setSaveDialogOptions: vi.fn() })
    const ok = item('blob:rollcall://app/1', '../../rollcall-2026-07-06.csv')
    const e1 = { preventDefault: vi.fn() }
    listener(e1, ok as never)
    expect(e1.preventDefault).not.toHaveBeenCalled()
    expect(ok.setSaveDialogOptions).toHaveBeenCalledWith(expect.objectContaining({ defaultPath: '..-..-rollcall-2026-07-06.csv', filters: [{ name: 'CSV', extensions: ['csv'] }] }))
    const bad = item('https://evil.example/x.exe', 'x.exe')
    const e2 = { preventDefault: vi.fn() }
    listener(e2, bad as never)
    expect(e2.preventDefault).toHaveBeenCalled()
    expect(bad.setSaveDialogOptions).not.toHaveBeenCalled()
  })
})
