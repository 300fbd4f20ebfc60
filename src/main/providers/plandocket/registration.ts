/** Plandocket as the registry lists it: its traits, how the stored settings build it, its history account. */
import type { ProviderRegistration } from '../types'
import { createPlandocketProvider } from './index'
import { plandocketTraits } from './traits'

export const plandocketRegistration: ProviderRegistration = {
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
  history: ({ plandocket }) => ({ account: plandocket.baseUrl, days: plandocket.historyDays }),
  lacks: ({ plandocket }) =>
    !plandocket.apiKey ? { reason: 'api_key_needed', field: 'plandocket.apiKey' } : !plandocket.baseUrl ? { reason: 'tenant_address_needed', field: 'plandocket.baseUrl' } : null
}
