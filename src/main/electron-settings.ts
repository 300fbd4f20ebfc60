/**
 * Electron glue for settings: electron-store for the file, safeStorage for the API keys. Kept out
 * of settings/ so that folder runs in plain Node.
 */
import { safeStorage } from 'electron'
import Store from 'electron-store'
import type { KeyValueStore, SecretBox } from './settings'

export function createElectronSettingsStore(dataDir: string): KeyValueStore {
  return new Store<Record<string, unknown>>({ cwd: dataDir, name: 'settings' })
}

/**
 * safeStorage uses the OS keychain (Keychain, DPAPI, libsecret/kwallet). On Linux without a keyring
 * it falls back to `basic_text`, a hard-coded key: still stored, but the settings screen warns.
 */
export function createSafeStorageBox(): SecretBox {
  const available = safeStorage.isEncryptionAvailable()
  const backend = process.platform === 'linux' && available ? safeStorage.getSelectedStorageBackend() : null
  return {
    kind: !available ? 'unavailable' : backend === 'basic_text' ? 'basic_text' : 'os',
    encrypt(plain) {
      if (!available) throw new Error('This computer offers no way to encrypt the API key (safeStorage unavailable).')
      return `safe:${safeStorage.encryptString(plain).toString('base64')}`
    },
    decrypt(cipher) {
      if (!cipher.startsWith('safe:')) throw new Error('not a safeStorage secret')
      return safeStorage.decryptString(Buffer.from(cipher.slice(5), 'base64'))
    }
  }
}
