/**
 * Provider settings and their secrets. Core code sees only these interfaces; the Electron glue
 * backs them with electron-store + safeStorage, plain Node (the web transport, tests) with `conf`
 * (the library electron-store is built on, so both write the same JSON) and a file-mode secret box.
 * Secrets never leave main: the renderer gets `apiKeySet`, never a key.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import Conf from 'conf'
import { LOCAL_PROVIDER, PROVIDERS, type ProviderName, type ProviderSettingsInput, type ProviderSettingsView } from '../../shared/contract'
import { RETENTION_DAYS } from '../../shared/contract/constants'
import { DEFAULT_REQUEST_BUDGET } from '../providers/budget'
import { DEFAULT_RETENTION_DAYS } from '../sync/retention'

export const DEFAULT_WIX_BASE_URL = 'https://www.wixapis.com'
export const DEFAULT_NAMESPACE = '@rollcall/checkin'

export interface StoredSettings {
  provider: ProviderName
  deskName: string | null
  wix: { siteId: string; baseUrl: string; namespace: string; apiKey: string | null; historyDays: number }
  plandocket: { baseUrl: string; apiKey: string | null; showHidden: boolean; requestsPerHour: number; historyDays: number }
  /** Sessions that ended longer ago than this leave the replica (sync/retention.ts). */
  retentionDays: number
}

/** Days of past attendance a pull brings for the history figures unless set otherwise. */
export const DEFAULT_HISTORY_DAYS = 60

/** A stored retention the desk can use: the contract's bounds (a file edited by hand may hold anything). */
const usableRetention = (days: unknown): days is number => typeof days === 'number' && Number.isInteger(days) && days >= RETENTION_DAYS.min && days <= RETENTION_DAYS.max

/** Encrypts secrets at rest. `kind` is shown to the desk when it is weaker than the OS keychain. */
export interface SecretBox {
  kind: ProviderSettingsView['secretStorage']
  encrypt(plain: string): string
  decrypt(cipher: string): string
}

/** Where settings are kept: electron-store in Electron, `conf` elsewhere (same API, same file). */
export interface KeyValueStore {
  get(key: string): unknown
  set(key: string, value: unknown): void
}

const DEFAULTS = {
  provider: LOCAL_PROVIDER as ProviderName,
  deskName: null as string | null,
  wix: { siteId: '', baseUrl: '', namespace: DEFAULT_NAMESPACE, apiKeyCipher: null as string | null, historyDays: DEFAULT_HISTORY_DAYS },
  plandocket: { baseUrl: '', apiKeyCipher: null as string | null, showHidden: false, requestsPerHour: DEFAULT_REQUEST_BUDGET, historyDays: DEFAULT_HISTORY_DAYS }
}

export type SettingsShape = typeof DEFAULTS

/** The stored choice, if this Rollcall knows it (a file edited by hand, or a provider since removed: local-only). */
const knownProvider = (stored: unknown): ProviderName => ((PROVIDERS as readonly unknown[]).includes(stored) ? (stored as ProviderName) : LOCAL_PROVIDER)

export function settingsDefaults(): SettingsShape {
  return structuredClone(DEFAULTS)
}

export function createSettings(store: KeyValueStore, secrets: SecretBox, env: NodeJS.ProcessEnv = process.env) {
  const read = <K extends keyof SettingsShape>(key: K): SettingsShape[K] => ({ ...structuredClone(DEFAULTS[key] as object), ...(store.get(key) as object) }) as SettingsShape[K]
  const decrypt = (cipher: string | null) => {
    if (!cipher) return null
    try {
      return secrets.decrypt(cipher)
    } catch {
      // A key encrypted on another machine or OS account cannot be read here: ask for it again.
      return null
    }
  }

  function retentionDays(): number {
    const stored = store.get('retentionDays')
    return usableRetention(stored) ? stored : DEFAULT_RETENTION_DAYS
  }

  function current(): StoredSettings {
    const wix = read('wix')
    const plandocket = read('plandocket')
    return {
      retentionDays: retentionDays(),
      provider: knownProvider(store.get('provider')),
      deskName: (store.get('deskName') as string | null | undefined) ?? null,
      wix: {
        siteId: wix.siteId,
        // The env var wins: it is how a proxy or a local fake is put in front of a desk.
        baseUrl: env.ROLLCALL_WIX_BASE_URL || wix.baseUrl || DEFAULT_WIX_BASE_URL,
        namespace: wix.namespace || DEFAULT_NAMESPACE,
        apiKey: decrypt(wix.apiKeyCipher),
        historyDays: wix.historyDays ?? DEFAULT_HISTORY_DAYS
      },
      plandocket: {
        baseUrl: env.ROLLCALL_PLANDOCKET_BASE_URL || plandocket.baseUrl,
        apiKey: decrypt(plandocket.apiKeyCipher),
        showHidden: plandocket.showHidden === true,
        requestsPerHour: plandocket.requestsPerHour || DEFAULT_REQUEST_BUDGET,
        historyDays: plandocket.historyDays ?? DEFAULT_HISTORY_DAYS
      }
    }
  }

  /** The settings `input` describes, merged over what is stored (an omitted key keeps the stored one). */
  function merged(input: ProviderSettingsInput): StoredSettings {
    const now = current()
    if (input.provider === 'wix') {
      return {
        ...now,
        provider: 'wix',
        wix: {
          siteId: input.wix.siteId,
          baseUrl: env.ROLLCALL_WIX_BASE_URL || input.wix.baseUrl || now.wix.baseUrl,
          namespace: input.wix.namespace,
          apiKey: input.wix.apiKey ?? now.wix.apiKey,
          historyDays: input.wix.historyDays ?? now.wix.historyDays
        }
      }
    }
    if (input.provider === 'plandocket') {
      return {
        ...now,
        provider: 'plandocket',
        plandocket: {
          baseUrl: env.ROLLCALL_PLANDOCKET_BASE_URL || input.plandocket.baseUrl,
          apiKey: input.plandocket.apiKey ?? now.plandocket.apiKey,
          showHidden: input.plandocket.showHidden ?? now.plandocket.showHidden,
          requestsPerHour: input.plandocket.requestsPerHour ?? now.plandocket.requestsPerHour,
          historyDays: input.plandocket.historyDays ?? now.plandocket.historyDays
        }
      }
    }
    if (input.provider === 'hub') return { ...now, provider: 'hub' }
    return { ...now, provider: LOCAL_PROVIDER }
  }

  return {
    current,
    merged,
    retentionDays,
    save(input: ProviderSettingsInput): StoredSettings {
      const next = merged(input)
      store.set('provider', next.provider)
      // The contract checked the range at the boundary; a stored value out of it is never used.
      if (input.retentionDays !== undefined) store.set('retentionDays', input.retentionDays)
      if (input.provider === 'wix') {
        const old = read('wix')
        store.set('wix', {
          siteId: input.wix.siteId,
          baseUrl: input.wix.baseUrl ?? old.baseUrl,
          namespace: input.wix.namespace,
          apiKeyCipher: input.wix.apiKey ? secrets.encrypt(input.wix.apiKey) : old.apiKeyCipher,
          historyDays: next.wix.historyDays
        })
      }
      if (input.provider === 'plandocket') {
        const old = read('plandocket')
        store.set('plandocket', {
          baseUrl: input.plandocket.baseUrl,
          apiKeyCipher: input.plandocket.apiKey ? secrets.encrypt(input.plandocket.apiKey) : old.apiKeyCipher,
          showHidden: next.plandocket.showHidden,
          requestsPerHour: next.plandocket.requestsPerHour,
          historyDays: next.plandocket.historyDays
        })
      }
      return next
    },
    view(deskName: string): ProviderSettingsView {
      const s = current()
      return {
        provider: s.provider,
        deskName: s.deskName ?? deskName,
        wix: { siteId: s.wix.siteId, baseUrl: s.wix.baseUrl, namespace: s.wix.namespace, apiKeySet: Boolean(s.wix.apiKey), historyDays: s.wix.historyDays },
        plandocket: {
          baseUrl: s.plandocket.baseUrl,
          apiKeySet: Boolean(s.plandocket.apiKey),
          showHidden: s.plandocket.showHidden,
          requestsPerHour: s.plandocket.requestsPerHour,
          historyDays: s.plandocket.historyDays
        },
        retentionDays: s.retentionDays,
        secretStorage: secrets.kind
      }
    }
  }
}

export type Settings = ReturnType<typeof createSettings>

/**
 * Settings for plain Node: `conf` in the data dir, read once and written through. Conf reads and
 * parses its file on every get, and the desk reads its settings on every roster page it serves
 * from the top (is a download due?): that was ~0.45 ms of each keystroke's search. Only this desk
 * writes the file; each value is handed out as a copy, as Conf does.
 */
export function createNodeSettingsStore(dataDir: string): KeyValueStore {
  const conf = new Conf<Record<string, unknown>>({ cwd: dataDir, configName: 'settings', projectName: 'rollcall' })
  let kept: Record<string, unknown> | null = null
  return {
    get(key) {
      kept ??= conf.store
      const value = kept[key]
      return value !== null && typeof value === 'object' ? structuredClone(value) : value
    },
    set(key, value) {
      kept = null
      conf.set(key, value)
    }
  }
}

/**
 * Without Electron there is no OS keychain: the key is kept in a file only this OS user can read,
 * and the settings screen says so (secretStorage: 'unavailable').
 */
export function createFileSecretBox(dataDir: string): SecretBox {
  const file = join(dataDir, 'secrets.json')
  const load = (): Record<string, string> => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {})
  return {
    kind: 'unavailable',
    encrypt(plain) {
      const all = load()
      const ref = `file:${Object.keys(all).length}:${Date.now()}`
      all[ref] = plain
      const tmp = `${file}.tmp`
      writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 })
      chmodSync(tmp, 0o600)
      renameSync(tmp, file)
      return ref
    },
    decrypt(ref) {
      const value = load()[ref]
      if (value === undefined) throw new Error('secret not found')
      return value
    }
  }
}
