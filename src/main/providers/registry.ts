/**
 * Every booking system the desk can sync with, one line each: a provider is added by its folder
 * under providers/ plus its line here. Each line builds the provider from the stored settings, or
 * answers null while the settings lack what it needs (then the desk stays local until they do).
 */
import type { ProviderName } from '../../shared/contract'
import type { StoredSettings } from '../settings'
import type { RequestBudget } from './budget'
import { createPlandocketProvider } from './plandocket'
import type { Provider } from './types'
import { createWixProvider } from './wix'

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

const REGISTRY: Record<ProviderName, Build> = {
  // Local-only: nothing to sync with (the engine settles local sessions itself).
  local: () => null,
  wix: ({ wix }, deps) =>
    wix.apiKey && wix.siteId
      ? createWixProvider({ baseUrl: wix.baseUrl, siteId: wix.siteId, apiKey: wix.apiKey, namespace: wix.namespace, timeoutMs: deps.timeoutMs, signal: deps.signal, onServerDate: deps.onServerDate })
      : null,
  plandocket: ({ plandocket }, deps) => {
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
  }
}

export function buildProvider(settings: StoredSettings, deps: ProviderDeps): Provider | null {
  return REGISTRY[settings.provider](settings, deps)
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
