/** Wix as the registry lists it: its traits, how the stored settings build it, its history account. */
import type { ProviderRegistration } from '../types'
import { createWixProvider } from './index'
import { wixTraits } from './traits'

export const wixRegistration: ProviderRegistration = {
  traits: wixTraits,
  build: ({ wix }, deps) =>
    wix.apiKey && wix.siteId
      ? createWixProvider({ baseUrl: wix.baseUrl, siteId: wix.siteId, apiKey: wix.apiKey, namespace: wix.namespace, timeoutMs: deps.timeoutMs, signal: deps.signal, onServerDate: deps.onServerDate })
      : null,
  history: ({ wix }) => ({ account: wix.siteId, days: wix.historyDays }),
  lacks: ({ wix }) => (wix.apiKey ? null : { reason: 'api_key_needed', field: 'wix.apiKey' })
}
