/**
 * Every booking system the desk can sync with, one entry each: a provider is added by its folder
 * under providers/, its name in the contract's PROVIDERS list (the type then asks for its entry
 * here) and its entry. Each entry names the provider's traits and builds it from the stored
 * settings, or answers null while the settings lack what it needs (then the desk stays local).
 */
import type { ProviderName } from '../../shared/contract'
import type { StoredSettings } from '../settings'
import type { RequestBudget } from './budget'
import { localTraits } from './local/traits'
import { createPlandocketProvider, plandocketTraits } from './plandocket'
import type { SessionRules } from './rules'
import type { Provider, ProviderTraits } from './types'
import { createWixProvider, wixTraits } from './wix'

export interface ProviderDeps {
  /** One count of the hour's requests for the desk, whichever provider object is current. */
  budget: RequestBudget
  now: () => number
  timeoutMs?: number
  /** Aborted when the desk closes: every provider request stops. */
  signal?: AbortSignal
  /** The booking system's Date header, for the clock-offset warning. */
  onServerDate: (serverMs: number, localMs: number) => void
}

type Build = (settings: StoredSettings, deps: ProviderDeps) => Provider | null

interface Registration {
  traits: ProviderTraits
  build: Build
  /** The account whose history the desk pulls and how many days back (null: none to pull). */
  history: (settings: StoredSettings) => { account: string; days: number } | null
}

const REGISTRY: Record<ProviderName, Registration> = {
  // Local-only: nothing to sync with (its sessions' operations are settled by the local provider,
  // which the desk always has beside the one built here).
  local: { traits: localTraits, build: () => null, history: () => null },
  wix: {
    traits: wixTraits,
    build: ({ wix }, deps) =>
      wix.apiKey && wix.siteId
        ? createWixProvider({ baseUrl: wix.baseUrl, siteId: wix.siteId, apiKey: wix.apiKey, namespace: wix.namespace, timeoutMs: deps.timeoutMs, signal: deps.signal, onServerDate: deps.onServerDate })
        : null,
    history: ({ wix }) => ({ account: wix.siteId, days: wix.historyDays })
  },
  plandocket: {
    traits: plandocketTraits,
    build: ({ plandocket }, deps) => {
      if (!plandocket.apiKey || !plandocket.baseUrl) return null
      deps.budget.perHour = plandocket.requestsPerHour
      return createPlandocketProvider({
        baseUrl: plandocket.baseUrl,
        apiKey: plandocket.apiKey,
        showHidden: plandocket.showHidden,
        budget: deps.budget,
        now: deps.now,
        timeoutMs: deps.timeoutMs,
        signal: deps.signal,
        onServerDate: deps.onServerDate
      })
    },
    history: ({ plandocket }) => ({ account: plandocket.baseUrl, days: plandocket.historyDays })
  }
}

/** What the desk knows of a provider without a connection to it (for sessions of any provider on the desk). */
export function traitsOf(name: ProviderName): ProviderTraits {
  return REGISTRY[name].traits
}

/** Which account's history the current settings pull, and how far back (null: none). */
export function historyOf(settings: StoredSettings): { account: string; days: number } | null {
  return REGISTRY[settings.provider].history(settings)
}

/** A session's rules, answered by its provider. `raw`: the provider's own record of the session as stored (JSON text, or null). */
export function sessionRules(session: { provider: ProviderName; raw: string | null }): SessionRules {
  let raw: unknown = null
  try {
    raw = session.raw === null ? null : JSON.parse(session.raw)
  } catch {
    raw = null
  }
  return traitsOf(session.provider).sessionRules({ raw })
}

export function buildProvider(settings: StoredSettings, deps: ProviderDeps): Provider | null {
  return REGISTRY[settings.provider].build(settings, deps)
}

/** The provider the current settings describe; rebuilt only when they change. */
export function createProviderSource(settings: () => StoredSettings, deps: ProviderDeps): () => Provider | null {
  let provider: Provider | null = null
  let key = ''
  return () => {
    const s = settings()
    const next = JSON.stringify(s)
    if (next !== key) {
      key = next
      provider = buildProvider(s, deps)
    }
    return provider
  }
}
