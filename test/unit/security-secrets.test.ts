/**
 * Secrets stay in main, encrypted by safeStorage; a backend that is only obfuscation (`basic_text`
 * on Linux without a keyring) or no encryption at all is reported to the settings screen.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { createSettings } from '../../src/main/settings'
import { tempDir } from './helpers'
import { createElectronStandIn, routeDependenciesToStandIn, type ElectronStandIn } from './sim/electron-stand-in'

const holder = vi.hoisted(() => ({ standIn: null as unknown as ElectronStandIn }))
vi.mock('electron', async () => {
  const { createElectronStandIn: create } = await import('./sim/electron-stand-in')
  holder.standIn ??= create()
  return holder.standIn.module
})

let glue: typeof import('../../src/main/electron-settings')
const safeStorage = () => holder.standIn.electron.safeStorage as Record<string, unknown>

beforeAll(async () => {
  holder.standIn ??= createElectronStandIn()
  routeDependenciesToStandIn(holder.standIn)
  glue = await import('../../src/main/electron-settings')
})

function use(backend: string, available = true) {
  safeStorage().isEncryptionAvailable = () => available
  safeStorage().getSelectedStorageBackend = () => backend
}

describe('safeStorage secret box', () => {
  it('with an OS keychain: encrypts, decrypts, and says "os"', () => {
    use('gnome_libsecret')
    const box = glue.createSafeStorageBox()
    expect(box.kind).toBe('os')
    const sealed = box.encrypt('k3y')
    expect(sealed).toMatch(/^safe:/)
    expect(sealed).not.toContain('k3y')
    expect(box.decrypt(sealed)).toBe('k3y')
    expect(() => box.decrypt('file:0:1')).toThrow()
  })

  it.runIf(process.platform === 'linux')('with only basic_text on Linux: still encrypts, but says so', () => {
    use('basic_text')
    expect(glue.createSafeStorageBox().kind).toBe('basic_text')
  })

  it('without any encryption: refuses to store a key instead of writing it in clear', () => {
    use('unknown', false)
    const box = glue.createSafeStorageBox()
    expect(box.kind).toBe('unavailable')
    expect(() => box.encrypt('k3y')).toThrow(/no way to encrypt/)
  })

  it.runIf(process.platform === 'linux')('the settings view carries the warning level and never the key; the file holds only ciphertext', () => {
    use('basic_text')
    const dir = tempDir()
    const settings = createSettings(glue.createElectronSettingsStore(dir), glue.createSafeStorageBox(), {})
    settings.save({ provider: 'plandocket', plandocket: { baseUrl: 'https://x.plandocket.com/api/v1', apiKey: 'pd_live_secret' } })
    const view = settings.view('Desk')
    expect(view).toMatchObject({ secretStorage: 'basic_text', plandocket: { apiKeySet: true } })
    expect(JSON.stringify(view)).not.toContain('pd_live_secret')
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).not.toContain('pd_live_secret')
    expect(settings.current().plandocket.apiKey).toBe('pd_live_secret')
  })
})
